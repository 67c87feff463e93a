import { deleteDocument } from "@/lib/documents/delete-document";
import { getDocument } from "@/lib/documents/read-documents";
import { assertUuid } from "@/lib/http/ids";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";

export const GET = apiRoute<{ id: string }>({ access: "tenant" }, async ({ params, identity }) =>
  json(await getDocument(identity, assertUuid(params.id, "Document"))),
);

export const DELETE = apiRoute<{ id: string }>({ access: "tenant" }, async ({ params, identity, meta }) => {
  await deleteDocument(identity, assertUuid(params.id, "Document"), meta);
  return new Response(null, { status: 204 });
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, OPTIONS } = otherMethods(["GET", "DELETE"]);
