import { exportCustomer } from "@/lib/gdpr/export-customer";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute } from "@/lib/http/route";

/** GDPR export: everything of the workspace as one ZIP (data.json and the original PDFs). */
export const GET = apiRoute({ access: "tenant" }, async ({ identity, meta }) => {
  const archive = await exportCustomer(identity, meta);
  return new Response(Buffer.from(archive.bytes), {
    status: 200,
    headers: {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${archive.filename}"`,
      "cache-control": "no-store",
    },
  });
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
