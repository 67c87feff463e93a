import fs from "node:fs";
import path from "node:path";

/**
 * Every endpoint of the API, found by walking app/api/v1 for route files and reading
 * which methods they export and with which access (the options given to apiRoute), so
 * suites that must cover "every endpoint" cover the new ones too.
 */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type Access = "public" | "user" | "tenant";

export interface Endpoint {
  method: Method;
  /** The path as a template: /api/v1/documents/[id]. */
  template: string;
  access: Access;
  /** Roles allowed, when the route restricts them. */
  roles: string[] | null;
  file: string;
}

const ROLE_SETS: Record<string, string[]> = {
  STAFF_ROLES: ["global_admin", "support_user"],
  ADMIN_ROLES: ["global_admin"],
};

export function apiEndpoints(root = path.join(process.cwd(), "app/api/v1")): Endpoint[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") files.push(full);
    }
  };
  walk(root);
  const endpoints: Endpoint[] = [];
  for (const file of files.sort()) {
    const source = fs.readFileSync(file, "utf8");
    const template = `/api/v1/${path.relative(root, path.dirname(file)).split(path.sep).join("/")}`.replace(/\/$/, "");
    const exports = [
      ...source.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g),
    ];
    const allOptions = [...source.matchAll(/apiRoute(?:<[^>]*>)?\(\s*(\{[^}]*\})/g)].map((m) => m[1] as string);
    exports.forEach((m, i) => {
      const start = m.index ?? 0;
      const end = exports[i + 1]?.index ?? source.length;
      const own = /apiRoute(?:<[^>]*>)?\(\s*(\{[^}]*\})/.exec(source.slice(start, end))?.[1];
      // An alias (export const PUT = notFound) or a wrapper function: the file's one apiRoute.
      const options = own ?? (allOptions.length === 1 ? allOptions[0] : undefined);
      if (!options) throw new Error(`${file}: cannot tell how ${m[1]} is protected`);
      const access = /access:\s*"(public|user|tenant)"/.exec(options)?.[1] as Access | undefined;
      if (!access) throw new Error(`${file}: ${m[1]} has no access option`);
      const rolesText = /roles:\s*(\[[^\]]*\]|[A-Z_]+)/.exec(options)?.[1];
      const roles = rolesText
        ? rolesText.startsWith("[")
          ? [...rolesText.matchAll(/"([a-z_]+)"/g)].map((r) => r[1] as string)
          : (ROLE_SETS[rolesText] ??
            (() => {
              throw new Error(`${file}: unknown role set ${rolesText}`);
            })())
        : null;
      endpoints.push({ method: m[1] as Method, template, access, roles, file: path.relative(process.cwd(), file) });
    });
  }
  return endpoints;
}

/** The template with its [param] and [...param] segments filled in. */
export function fillPath(template: string, fill: (param: string, catchAll: boolean) => string): string {
  return template.replace(/\[(\.\.\.)?([A-Za-z]+)\]/g, (_, dots: string | undefined, name: string) =>
    fill(name, Boolean(dots)),
  );
}
