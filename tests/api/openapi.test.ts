import fs from "node:fs";
import path from "node:path";
import { compileErrors, validate } from "@readme/openapi-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";

// The OpenAPI document is served by the app, valid OpenAPI 3.1, and complete: every
// route file under app/api/v1 appears with each HTTP method it exports, and nothing
// else does. A route added without its documentation fails here.
const API_DIR = path.join(process.cwd(), "app/api/v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Every (method, OpenAPI path) that the route files export, [id] → {id}, the catch-all left out. */
function routesOnDisk(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const rel = path.relative(API_DIR, dir).split(path.sep);
        if (rel.some((s) => s.startsWith("[..."))) continue; // unknown paths → 404 envelope
        const apiPath = `/${rel.map((s) => s.replace(/^\[(\w+)\]$/, "{$1}")).join("/")}`;
        const source = fs.readFileSync(full, "utf8");
        for (const m of METHODS) {
          if (new RegExp(`export\\s+(const|async\\s+function|function)\\s+${m}\\b`).test(source)) {
            found.push(`${m.toLowerCase()} ${apiPath}`);
          }
        }
      }
    }
  };
  walk(API_DIR);
  return found.sort();
}

let doc: any;

beforeAll(async () => {
  const res = await api("/api/v1/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  doc = res.body;
});

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(doc));
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
  });

  it("the validator does refuse a broken document (this test can fail)", async () => {
    const broken = structuredClone(doc);
    broken.paths["/documents"].get.responses["200"].content["application/json"].schema = {
      $ref: "#/components/schemas/NoSuchSchema",
    };
    expect((await validate(broken)).valid).toBe(false);
  });

  it("lists every route under app/api/v1 with each exported method, and no other", () => {
    const onDisk = routesOnDisk();
    expect(onDisk.length).toBeGreaterThan(25);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m} ${p}`))
      .sort();
    expect(documented).toEqual(onDisk);
  });

  it("documents requests with the zod schemas that validate them", () => {
    const signup = doc.components.schemas.SignupRequest;
    expect(signup.required).toEqual(expect.arrayContaining(["email", "password", "company_name"]));
    expect(signup.properties.password.minLength).toBe(10);
    // Defaults are optional for the client; coerced query numbers keep their bounds.
    const limit = doc.paths["/documents"].get.parameters.find((p: { name: string }) => p.name === "limit");
    expect(limit).toMatchObject({ in: "query", required: false, schema: { minimum: 1, maximum: 200, default: 50 } });
    const complete = doc.paths["/documents/{id}/complete"].post;
    expect(complete.parameters).toContainEqual(expect.objectContaining({ name: "id", in: "path", required: true }));
    // Each operation answers its errors in the envelope.
    expect(complete.responses["401"].content["application/json"].schema.$ref).toBe("#/components/schemas/Error");
    expect(doc.paths["/webhook/manychat"].post.security).toEqual([{ webhookSecret: [] }]);
    expect(doc.paths["/health"].get.security).toEqual([]);
  });
});

describe("/docs", () => {
  it("renders every operation and schema as plain HTML", async () => {
    const res = await fetch(`${(await import("vitest")).inject("baseUrl")}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<h1[^>]*>PDF Answers API reference<\/h1>/);
    for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>)) {
      for (const op of Object.values(methods)) {
        expect(html, p).toContain(`id="${op.operationId}"`);
        expect(html).toContain(`/api/v1${p}`.replace(/&/g, "&amp;"));
      }
    }
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
  });
});
