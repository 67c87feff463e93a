import { after } from "next/server";
import { MAX_PDF_BYTES } from "@/lib/documents/limits";
import { acceptUpload } from "@/lib/documents/upload-document";
import { AppError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { readBodyCapped } from "@/lib/http/read-body";
import { apiRoute, json } from "@/lib/http/route";
import { runJobNow } from "@/lib/jobs/run-jobs";

// Multipart overhead on top of the largest accepted PDF.
const MAX_BODY = MAX_PDF_BYTES + 1024 * 1024;

export const POST = apiRoute({ access: "tenant" }, async ({ req, identity, meta }) => {
  const type = req.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) {
    throw new AppError("unsupported_media_type", 'Send the PDF as multipart/form-data in a field named "file".');
  }
  // Read with a cap first: formData() alone would buffer a chunked body of any size.
  const body = await readBodyCapped(req, MAX_BODY, "This file is over the 20 MB limit per PDF.");
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": type } }).formData();
  } catch {
    throw new AppError("validation_failed", "The multipart body could not be read.", [
      { path: "file", message: "attach a PDF in the multipart field named file" },
    ]);
  }
  const file = form.get("file");
  if (!(file instanceof File)) {
    throw new AppError("validation_failed", 'Attach the PDF in a field named "file".', [
      { path: "file", message: "is required" },
    ]);
  }
  if (file.size > MAX_PDF_BYTES) throw new AppError("payload_too_large", "This file is over the 20 MB limit per PDF.");
  const accepted = await acceptUpload(
    identity,
    { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) },
    meta,
  );
  const jobId = accepted.jobId;
  if (jobId) after(() => runJobNow(jobId));
  return json({ document: accepted.document }, 202);
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
