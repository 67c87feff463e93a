import type { Metadata } from "next";
import { type JsonSchema, openApiDocument } from "@/lib/openapi/document";
import { refName, SchemaView, TypeLabel } from "./schema-view";

export const metadata: Metadata = { title: "API reference" };

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: JsonSchema;
}
interface Reply {
  description: string;
  content?: Record<string, { schema: JsonSchema }>;
}
interface Op {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, Reply>;
}

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-900",
  post: "bg-emerald-100 text-emerald-900",
  put: "bg-amber-100 text-amber-900",
  patch: "bg-violet-100 text-violet-900",
  delete: "bg-rose-100 text-rose-900",
};

const AUTH_LABEL: Record<string, string> = {
  bearerAuth: "bearer token",
  sessionCookie: "session cookie",
  webhookSecret: "X-Webhook-Secret header",
  cronSecret: "CRON_SECRET bearer",
  metricsToken: "METRICS_TOKEN bearer (when set)",
  uploadToken: "signed URL token",
};

/**
 * The human-readable API reference: every operation of the OpenAPI document with its
 * parameters, request and response schemas. Server-rendered HTML; no client JavaScript
 * beyond the app's shell (sections fold with <details>).
 */
export default function ApiReferencePage() {
  const doc = openApiDocument();
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, Op>).map(([method, op]) => ({ path, method, op })),
  );
  return (
    <main lang="en" className="mx-auto max-w-5xl px-4 py-10 [overflow-wrap:anywhere] sm:px-6">
      <h1 className="text-3xl font-semibold">PDF Answers API reference</h1>
      <p className="mt-3 max-w-3xl text-slate-700">{doc.info.description}</p>
      <p className="mt-3 text-slate-700">
        Base URL <code className="rounded bg-slate-100 px-1">/api/v1</code>. Machine-readable:{" "}
        <a className="text-brand-700 underline" href="/api/v1/openapi.json">
          /api/v1/openapi.json
        </a>{" "}
        (OpenAPI {doc.openapi}).
      </p>

      <nav aria-label="Operations" className="mt-8 rounded-lg border border-slate-200 bg-white p-5">
        <h2 className="text-lg font-semibold">Operations</h2>
        {doc.tags.map((tag) => (
          <div key={tag.name} className="mt-3">
            <h3 className="font-medium">{tag.name}</h3>
            <ul className="mt-1 space-y-0.5">
              {ops
                .filter(({ op }) => op.tags.includes(tag.name))
                .map(({ path, method, op }) => (
                  <li key={op.operationId}>
                    <a className="text-brand-700 underline" href={`#${op.operationId}`}>
                      <span className="font-mono text-sm uppercase">{method}</span>{" "}
                      <span className="font-mono text-sm">{path}</span>
                    </a>{" "}
                    <span className="text-sm text-slate-600">{op.summary}</span>
                  </li>
                ))}
            </ul>
          </div>
        ))}
      </nav>

      {doc.tags.map((tag) => (
        <section key={tag.name} aria-labelledby={`tag-${tag.name}`} className="mt-12">
          <h2 id={`tag-${tag.name}`} className="text-2xl font-semibold">
            {tag.name}
          </h2>
          <p className="text-slate-700">{tag.description}</p>
          {ops
            .filter(({ op }) => op.tags.includes(tag.name))
            .map(({ path, method, op }) => (
              <Operation key={op.operationId} path={path} method={method} op={op} schemas={doc.components.schemas} />
            ))}
        </section>
      ))}

      <section aria-labelledby="schemas" className="mt-12">
        <h2 id="schemas" className="text-2xl font-semibold">
          Schemas
        </h2>
        {Object.entries(doc.components.schemas).map(([name, schema]) => (
          <div key={name} id={`schema-${name}`} className="mt-6 rounded-lg border border-slate-200 bg-white p-5">
            <h3 className="font-mono text-lg font-semibold">{name}</h3>
            {typeof schema.description === "string" ? <p className="text-slate-700">{schema.description}</p> : null}
            <div className="mt-2">
              <SchemaView schema={schema} />
            </div>
          </div>
        ))}
      </section>
    </main>
  );
}

function Operation({
  path,
  method,
  op,
  schemas,
}: {
  path: string;
  method: string;
  op: Op;
  schemas: Record<string, JsonSchema>;
}) {
  const auth = op.security.flatMap((s) => Object.keys(s).map((k) => AUTH_LABEL[k] ?? k));
  const anonymousOk = op.security.length === 0 || op.security.some((s) => Object.keys(s).length === 0);
  return (
    <article
      id={op.operationId}
      aria-labelledby={`${op.operationId}-title`}
      className="mt-6 rounded-lg border border-slate-200 bg-white p-5"
    >
      <h3 id={`${op.operationId}-title`} className="flex flex-wrap items-center gap-2 text-lg font-semibold">
        <span className={`rounded px-2 py-0.5 font-mono text-sm uppercase ${METHOD_STYLE[method] ?? ""}`}>
          {method}
        </span>
        <code className="font-mono">{`/api/v1${path}`}</code>
        <span className="font-normal text-slate-700">{op.summary}</span>
      </h3>
      {op.description ? <p className="mt-2 text-slate-700">{op.description}</p> : null}
      <p className="mt-2 text-sm text-slate-700">
        <span className="font-medium">Authentication:</span>{" "}
        {auth.length === 0 ? "none" : `${auth.join(" or ")}${anonymousOk ? ", or none" : ""}`}
      </p>

      {op.parameters?.length ? (
        <table className="mt-3 w-full table-fixed text-left text-sm">
          <caption className="text-left font-medium">Parameters</caption>
          <thead>
            <tr className="border-b border-slate-200">
              <th scope="col" className="py-1 pr-3">
                Name
              </th>
              <th scope="col" className="py-1 pr-3">
                In
              </th>
              <th scope="col" className="py-1 pr-3">
                Type
              </th>
              <th scope="col" className="py-1">
                Required
              </th>
            </tr>
          </thead>
          <tbody>
            {op.parameters.map((p) => (
              <tr key={`${p.in}-${p.name}`} className="border-b border-slate-100">
                <td className="py-1 pr-3 font-mono">{p.name}</td>
                <td className="py-1 pr-3">{p.in}</td>
                <td className="py-1 pr-3">
                  <TypeLabel schema={p.schema} />
                </td>
                <td className="py-1">{p.required ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      {op.requestBody ? (
        <div className="mt-3">
          <h4 className="font-medium">Request body{op.requestBody.required ? "" : " (optional)"}</h4>
          {Object.entries(op.requestBody.content).map(([type, { schema }]) => (
            <div key={type} className="mt-1">
              <p className="text-sm text-slate-600">
                <code>{type}</code> <TypeLabel schema={schema} />
              </p>
              <SchemaView schema={resolve(schema, schemas)} />
            </div>
          ))}
        </div>
      ) : null}

      <div className="mt-3">
        <h4 className="font-medium">Responses</h4>
        <ul className="mt-1 space-y-1">
          {Object.entries(op.responses).map(([status, reply]) => {
            const [type, media] = Object.entries(reply.content ?? {})[0] ?? [];
            const name = media ? refName(media.schema) : null;
            const success = Number(status) < 400;
            return (
              <li key={status} className="text-sm">
                <span className={`font-mono font-semibold ${success ? "text-emerald-800" : "text-rose-800"}`}>
                  {status}
                </span>{" "}
                {reply.description}{" "}
                {media ? (
                  <span className="text-slate-600">
                    <code>{type}</code> {name ? <TypeLabel schema={media.schema} /> : null}
                  </span>
                ) : null}
                {success && name && name !== "Error" ? (
                  <details className="mt-1 ml-4">
                    <summary className="cursor-pointer text-slate-700">Fields of {name}</summary>
                    <SchemaView schema={resolve(media?.schema ?? {}, schemas)} />
                  </details>
                ) : null}
              </li>
            );
          })}
        </ul>
      </div>
    </article>
  );
}

function resolve(schema: JsonSchema, schemas: Record<string, JsonSchema>): JsonSchema {
  const name = refName(schema);
  return name ? (schemas[name] ?? schema) : schema;
}
