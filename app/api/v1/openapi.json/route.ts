import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";
import { openApiDocument } from "@/lib/openapi/document";

/** The OpenAPI 3.1 description of this API, generated from the zod schemas the routes validate with. */
export const GET = apiRoute({ access: "public", resolveIdentity: false }, async () => json(openApiDocument()));

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
