import { after } from "next/server";
import { completeUpload } from "@/lib/documents/upload-document";
import { assertUuid } from "@/lib/http/ids";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, json } from "@/lib/http/route";
import { runJobNow } from "@/lib/jobs/run-jobs";

export const POST = apiRoute<{ id: string }>({ access: "tenant" }, async ({ params, identity, meta }) => {
  const accepted = await completeUpload(identity, assertUuid(params.id, "Document"), meta);
  const jobId = accepted.jobId;
  if (jobId) after(() => runJobNow(jobId));
  return json({ document: accepted.document }, 202);
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
