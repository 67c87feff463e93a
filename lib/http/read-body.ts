import { AppError } from "./errors";

/**
 * Reads a request body, refusing it (413) as soon as it is larger than `maxBytes`:
 * declared by Content-Length, or counted while it streams in (a chunked body declares
 * nothing). Every route that reads a body goes through this or parseJson, which uses it.
 */
export async function readBodyCapped(req: Request, maxBytes: number, tooLarge: string): Promise<Buffer<ArrayBuffer>> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError("payload_too_large", tooLarge);
  if (!req.body) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new AppError("payload_too_large", tooLarge);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** The body as UTF-8 text, capped like readBodyCapped. */
export async function readTextCapped(req: Request, maxBytes: number, tooLarge: string): Promise<string> {
  return (await readBodyCapped(req, maxBytes, tooLarge)).toString("utf8");
}
