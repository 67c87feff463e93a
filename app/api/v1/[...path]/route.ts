import { AppError } from "@/lib/http/errors";
import { apiRoute } from "@/lib/http/route";

// Unknown API paths answer with the error envelope rather than an HTML page.
const notFound = apiRoute<{ path: string[] }>({ access: "public" }, async ({ req }) => {
  throw new AppError("not_found", `No API endpoint at ${req.method} ${new URL(req.url).pathname}.`);
});

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
