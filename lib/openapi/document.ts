import { z } from "zod";
import { type Operation, operations, type Security } from "./operations";
import { errorEnvelope } from "./response-schemas";

/**
 * The OpenAPI 3.1 document of /api/v1 (GET /api/v1/openapi.json, the /docs page).
 *
 * Schemas come from zod 4's own z.toJSONSchema: it emits JSON Schema draft 2020-12,
 * which is the schema dialect of OpenAPI 3.1, so the request schemas that validate
 * input are the documented ones, with nothing translated. Request schemas are converted
 * as their input (defaults optional, before transforms), responses as their output.
 */
export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, unknown>;
    headers: Record<string, unknown>;
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const tags = [
  { name: "Auth", description: "Accounts and sessions." },
  { name: "Workspace", description: "The caller's tenant: settings, ManyChat key, inbound webhook, GDPR." },
  { name: "Documents", description: "PDF upload, ingestion progress, deletion." },
  { name: "Answers", description: "Questions answered from the documents, and the message log." },
  { name: "Billing", description: "Plan usage and overage." },
  { name: "ManyChat", description: "The webhook ManyChat's External Request calls." },
  { name: "Admin", description: "Platform staff: global_admin; support_user may read. Every read is audited." },
  { name: "Operations", description: "Health, metrics, this document, cron." },
];

const securitySchemes = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The access_token from /auth/signup or /auth/login.",
  },
  sessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: "pa_session",
    description: "Set by login and signup in the embedded auth mode. Mutations must come from the app's own origin.",
  },
  webhookSecret: {
    type: "apiKey",
    in: "header",
    name: "X-Webhook-Secret",
    description: "The workspace's inbound secret (GET /customers/me, inbound_webhook.secret).",
  },
  stripeSignature: {
    type: "apiKey",
    in: "header",
    name: "Stripe-Signature",
    description: "Stripe's signature of the raw body, checked with STRIPE_WEBHOOK_SECRET.",
  },
  cronSecret: { type: "http", scheme: "bearer", description: "CRON_SECRET." },
  metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN, when it is set." },
  uploadToken: { type: "apiKey", in: "query", name: "token", description: "Part of the signed upload URL." },
};

const securityOf: Record<Security, Record<string, string[]>[]> = {
  public: [],
  user: [{ bearerAuth: [] }, { sessionCookie: [] }],
  tenant: [{ bearerAuth: [] }, { sessionCookie: [] }],
  staff: [{ bearerAuth: [] }, { sessionCookie: [] }],
  admin: [{ bearerAuth: [] }, { sessionCookie: [] }],
  webhook: [{ webhookSecret: [] }],
  stripe: [{ stripeSignature: [] }],
  cron: [{ cronSecret: [] }],
  // {}: no token needed when METRICS_TOKEN is unset.
  metrics: [{ metricsToken: [] }, {}],
  upload: [{ uploadToken: [] }],
};

/** Errors every operation of a kind may answer, beside the ones it lists itself. */
function commonErrors(op: Operation): Record<number, string> {
  const errors: Record<number, string> = {};
  if (op.body && "schema" in op.body) errors[400] = "invalid_json: the body is not JSON.";
  if (op.body || op.query) errors[422] = "validation_failed: details lists each {path, message}.";
  // The Stripe webhook answers a bad signature with 400 invalid_signature, never 401.
  if (op.security !== "public" && op.security !== "metrics" && op.security !== "stripe") {
    errors[401] = "unauthenticated.";
  }
  if (op.security === "metrics") errors[401] = "unauthenticated: METRICS_TOKEN is set and was not sent.";
  if (["tenant", "staff", "admin"].includes(op.security)) {
    errors[403] =
      op.security === "tenant"
        ? "forbidden: no workspace, or it is suspended or being deleted."
        : "forbidden: another role is needed.";
  }
  if (op.path.includes("{")) errors[404] = "not_found (also for another tenant's ids).";
  errors[500] = "internal (never a stack trace).";
  return errors;
}

const clean = (schema: JsonSchema): JsonSchema => {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
};

function convertRegistry(registry: z.core.$ZodRegistry<{ id?: string }>, io: "input" | "output") {
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
    override: ({ jsonSchema }) => {
      // Answers may gain fields (API.md): do not promise there are no others.
      if (io === "output" && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  });
  return Object.fromEntries(Object.entries(schemas).map(([k, v]) => [k, clean(v as JsonSchema)]));
}

function queryParameters(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    ...(typeof prop.description === "string" ? { description: prop.description } : {}),
    schema: prop,
  }));
}

function build(): OpenApiDocument {
  const requests = z.registry<{ id?: string }>();
  const responses = z.registry<{ id?: string }>();
  responses.add(errorEnvelope, { id: "Error" });
  const register = (registry: typeof requests, schema: z.ZodType, id: string) => {
    if (!registry.has(schema)) registry.add(schema, { id });
  };
  for (const op of operations) {
    if (op.body && "schema" in op.body) register(requests, op.body.schema, op.body.name);
    for (const reply of Object.values(op.responses)) {
      if ("schema" in reply && reply.schema && reply.name) register(responses, reply.schema, reply.name);
    }
  }
  const schemas = { ...convertRegistry(requests, "input"), ...convertRegistry(responses, "output") };

  const paths: OpenApiDocument["paths"] = {};
  const requestId = { "x-request-id": { $ref: "#/components/headers/RequestId" } };
  for (const op of operations) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string", format: "uuid" },
    }));
    const replies: Record<string, unknown> = {};
    for (const [status, reply] of Object.entries(op.responses)) {
      const error = Number(status) >= 400;
      const content =
        "contentType" in reply
          ? { [reply.contentType]: { schema: reply.contentType === "application/json" ? { type: "object" } : {} } }
          : reply.name
            ? { "application/json": { schema: ref(reply.name) } }
            : error
              ? { "application/json": { schema: ref("Error") } }
              : undefined;
      replies[status] = { description: reply.description, headers: requestId, ...(content ? { content } : {}) };
    }
    for (const [status, description] of Object.entries(commonErrors(op))) {
      replies[status] ??= {
        description,
        headers: requestId,
        content: { "application/json": { schema: ref("Error") } },
      };
    }
    const body = op.body
      ? "schema" in op.body
        ? {
            required: !op.body.optional,
            content: { "application/json": { schema: ref(op.body.name) } },
          }
        : {
            required: true,
            content:
              op.body.contentType === "multipart/form-data"
                ? {
                    "multipart/form-data": {
                      schema: {
                        type: "object",
                        properties: { file: { type: "string", contentMediaType: "application/pdf" } },
                        required: ["file"],
                      },
                    },
                  }
                : { "application/pdf": { schema: {} } },
          }
      : undefined;
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = {
      operationId: operationId(op),
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      security: securityOf[op.security],
      ...(pathParams.length + (op.query ? 1 : 0) > 0
        ? { parameters: [...pathParams, ...(op.query ? queryParameters(op.query) : [])] }
        : {}),
      ...(body ? { requestBody: body } : {}),
      responses: replies,
    };
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "PDF Answers API",
      version: "1",
      description:
        "Answers WhatsApp customers (through ManyChat) from a business's own PDFs. JSON in and out, snake_case fields; errors as {error:{code, message, details, request_id}}; every response carries x-request-id. Lists: {items, next_cursor}, query limit (default 50, max 200) and cursor.",
    },
    servers: [{ url: "/api/v1" }],
    tags,
    paths,
    components: {
      schemas,
      securitySchemes,
      headers: {
        RequestId: {
          description: "The request's id (echoed when the client sent a valid one); also in error bodies and logs.",
          schema: { type: "string" },
        },
      },
    },
  };
}

/** e.g. "post /documents/{id}/complete" → "postDocumentsIdComplete". */
function operationId(op: Operation): string {
  const words = op.path
    .split(/[/{}.-]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1));
  return op.method + words.join("");
}

let cached: OpenApiDocument | undefined;

/** Built once per process: the schemas do not change while it runs. */
export function openApiDocument(): OpenApiDocument {
  cached ??= build();
  return cached;
}
