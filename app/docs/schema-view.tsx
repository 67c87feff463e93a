import type { JsonSchema } from "@/lib/openapi/document";

/**
 * A JSON Schema as a nested list of fields: name, type, whether it is required, its
 * constraints and description. Server-rendered; `$ref`s to components link to their
 * section of the page.
 */
export function SchemaView({ schema, depth = 0 }: { schema: JsonSchema; depth?: number }) {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const items = schema.items as JsonSchema | undefined;
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (properties && depth < 6) {
    return (
      <ul className="ml-1 space-y-1 border-l border-slate-200 pl-3">
        {Object.entries(properties).map(([name, prop]) => (
          <li key={name}>
            <code className="font-semibold text-slate-900">{name}</code> <TypeLabel schema={prop} />
            {required.has(name) ? <span className="ml-1 text-xs font-medium text-rose-700">required</span> : null}
            <Details schema={prop} />
            {hasChildren(prop) ? <SchemaView schema={childOf(prop)} depth={depth + 1} /> : null}
          </li>
        ))}
      </ul>
    );
  }
  if (items && hasChildren(items) && depth < 6) return <SchemaView schema={childOf(items)} depth={depth + 1} />;
  if (variants && depth < 6) {
    return (
      <ol className="ml-1 list-decimal space-y-2 pl-6">
        {variants.map((v, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: variants have no identity of their own
          <li key={i}>
            <span className="text-sm text-slate-600">one of: </span>
            <TypeLabel schema={v} />
            <SchemaView schema={v} depth={depth + 1} />
          </li>
        ))}
      </ol>
    );
  }
  return null;
}

function hasChildren(s: JsonSchema): boolean {
  const c = childOf(s);
  return Boolean(c.properties || (c.anyOf as unknown[] | undefined)?.some((v) => (v as JsonSchema).properties));
}

/** The object inside an array, or inside "X or null". */
function childOf(s: JsonSchema): JsonSchema {
  if (s.items) return childOf(s.items as JsonSchema);
  const variants = s.anyOf as JsonSchema[] | undefined;
  const nonNull = variants?.filter((v) => v.type !== "null");
  if (nonNull?.length === 1) return childOf(nonNull[0] as JsonSchema);
  return s;
}

export function TypeLabel({ schema }: { schema: JsonSchema }) {
  const ref = refName(childOf(schema));
  return (
    <span className="font-mono text-xs text-emerald-800">
      {ref ? (
        <a className="underline" href={`#schema-${ref}`}>
          {typeOf(schema)}
        </a>
      ) : (
        typeOf(schema)
      )}
    </span>
  );
}

export function refName(schema: JsonSchema): string | null {
  const ref = schema.$ref;
  return typeof ref === "string" ? (ref.split("/").pop() ?? null) : null;
}

function typeOf(s: JsonSchema): string {
  const ref = refName(s);
  if (ref) return ref;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  const variants = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (variants) return variants.map(typeOf).join(" | ");
  if (s.type === "array") return `array of ${typeOf((s.items as JsonSchema) ?? {})}`;
  const type = Array.isArray(s.type) ? s.type.join(" | ") : typeof s.type === "string" ? s.type : "any";
  return s.format ? `${type} (${s.format})` : type;
}

const CONSTRAINTS: [string, string][] = [
  ["minLength", "min length"],
  ["maxLength", "max length"],
  ["minimum", "min"],
  ["maximum", "max"],
  ["default", "default"],
];

function Details({ schema }: { schema: JsonSchema }) {
  const facts = CONSTRAINTS.filter(([k]) => schema[k] !== undefined).map(
    ([k, label]) => `${label} ${JSON.stringify(schema[k])}`,
  );
  const description = typeof schema.description === "string" ? schema.description : null;
  if (facts.length === 0 && !description) return null;
  return (
    <span className="ml-2 text-sm text-slate-600">
      {facts.length > 0 ? <span>({facts.join(", ")})</span> : null}
      {description ? <span className="ml-1">{description}</span> : null}
    </span>
  );
}
