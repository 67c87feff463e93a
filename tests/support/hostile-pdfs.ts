/**
 * Malformed and hostile PDFs, generated at test time (tests/api/hostile-pdfs.test.ts).
 *
 * Each is written by hand (numbered objects, a classic xref table) so that one property
 * of the file is wrong on purpose: a content, image or font stream that inflates to
 * hundreds of MB, a page tree that refers to itself, arrays nested thousands deep, a
 * /Count of a billion pages, images with absurd declared sizes, text with NUL bytes,
 * truncation, random garbage. `encryptedPdf` (pdf-fixtures.ts) covers encryption.
 */
import { createDeflate, deflateSync } from "node:zlib";
import { textPdf } from "./pdf-fixtures";

const latin1 = (s: string) => Buffer.from(s, "latin1");

/** One object body per entry (object n is entry n-1); a string or [dict, stream bytes]. */
type ObjectBody = string | { dict: string; stream: Uint8Array };

/** Writes objects 1..n with a classic xref table; object 1 is the catalog. */
export function writePdf(objects: ObjectBody[], opts: { trailerExtra?: string } = {}): Uint8Array {
  const parts: Buffer[] = [Buffer.from([...latin1("%PDF-1.7\n%"), 0xe2, 0xe3, 0xcf, 0xd3, 0x0a])];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const chunk =
      typeof body === "string"
        ? latin1(`${i + 1} 0 obj\n${body}\nendobj\n`)
        : Buffer.concat([
            latin1(`${i + 1} 0 obj\n<< ${body.dict} /Length ${body.stream.length} >>\nstream\n`),
            body.stream,
            latin1("\nendstream\nendobj\n"),
          ]);
    parts.push(chunk);
    offset += chunk.length;
  });
  const entries = offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  parts.push(
    latin1(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}` +
        `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${opts.trailerExtra ?? ""}>>\nstartxref\n${offset}\n%%EOF\n`,
    ),
  );
  return new Uint8Array(Buffer.concat(parts));
}

const FONT = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

/** A one-page PDF: objects 1 catalog, 2 pages, 3 page, 4 content, 5 font, then `extra`. */
function onePage(content: ObjectBody, opts: { resources?: string; extra?: ObjectBody[] } = {}) {
  return writePdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources ${opts.resources ?? "<< /Font << /F1 5 0 R >> >>"} /Contents 4 0 R >>`,
    content,
    FONT,
    ...(opts.extra ?? []),
  ]);
}

const bombs = new Map<string, Buffer>();

/**
 * `unit` repeated until `inflatedMb` MB, deflated (level 9): 400 MB of "(A) Tj" lines
 * become ~0.4-1.2 MB. Built by streaming one MB at a time; cached per process.
 */
export async function deflateBomb(inflatedMb: number, unit = "BT /F1 12 Tf 72 712 Td (A) Tj ET\n"): Promise<Buffer> {
  const key = `${inflatedMb}:${unit}`;
  const cached = bombs.get(key);
  if (cached) return cached;
  const mb = Buffer.from(unit.repeat(Math.ceil((1024 * 1024) / unit.length)).slice(0, 1024 * 1024), "latin1");
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (d: Buffer) => out.push(d));
  const ended = new Promise((resolve, reject) => {
    deflate.on("end", resolve);
    deflate.on("error", reject);
  });
  for (let i = 0; i < inflatedMb; i++) {
    if (!deflate.write(mb)) await new Promise((r) => deflate.once("drain", r));
  }
  deflate.end();
  await ended;
  const bomb = Buffer.concat(out);
  bombs.set(key, bomb);
  return bomb;
}

/** The bomb: one page whose FlateDecode content stream inflates to `inflatedMb` MB of text operators. */
export async function contentBombPdf(inflatedMb = 400): Promise<Uint8Array> {
  return onePage({ dict: "/Filter /FlateDecode", stream: await deflateBomb(inflatedMb) });
}

/** A page that shows a font whose embedded program (FontFile2) inflates to `inflatedMb` MB. */
export async function fontBombPdf(inflatedMb = 400): Promise<Uint8Array> {
  const content = "BT /F1 12 Tf 72 712 Td (Hello from a bombed font) Tj ET";
  return writePdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    { dict: "", stream: latin1(content) },
    "<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 32 /LastChar 126 /Widths 7 0 R /FontDescriptor 6 0 R >>",
    "<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 8 0 R >>",
    `[${Array.from({ length: 95 }, () => "500").join(" ")}]`,
    { dict: "/Filter /FlateDecode", stream: await deflateBomb(inflatedMb, "\0\x01\0\0") },
  ]);
}

/** A page that draws an image whose stream inflates to `inflatedMb` MB (declared to fit). */
export async function imageBombPdf(inflatedMb = 400): Promise<Uint8Array> {
  const side = Math.floor(Math.sqrt(inflatedMb * 1024 * 1024));
  return onePage(
    { dict: "", stream: latin1("BT /F1 12 Tf 72 712 Td (A picture) Tj ET q 612 0 0 792 0 0 cm /Im1 Do Q") },
    {
      resources: "<< /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >>",
      extra: [
        {
          dict: `/Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`,
          stream: await deflateBomb(inflatedMb, "\0"),
        },
      ],
    },
  );
}

/** An image declaring `width` x `height` pixels with almost no data behind it. */
export function hugeImagePdf(width: number, height: number): Uint8Array {
  return onePage(
    { dict: "", stream: latin1("BT /F1 12 Tf 72 712 Td (Huge image) Tj ET q 612 0 0 792 0 0 cm /Im1 Do Q") },
    {
      resources: "<< /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >>",
      extra: [
        {
          dict: `/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode`,
          stream: new Uint8Array(deflateSync(Buffer.alloc(1024, 0x7f))),
        },
      ],
    },
  );
}

/** A page tree that claims `count` pages but holds one. */
export function hugeCountPdf(count: number): Uint8Array {
  return writePdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [3 0 R] /Count ${count} >>`,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    { dict: "", stream: latin1("BT /F1 12 Tf 72 712 Td (One real page) Tj ET") },
    FONT,
  ]);
}

/** Reference loops: kind "kids" (the page tree contains itself), "contents" (a stream reference that points at itself), "parent" (pages whose parents form a cycle). */
export function loopPdf(kind: "kids" | "contents" | "parent"): Uint8Array {
  const page = (contents: string, parent = "2 0 R") =>
    `<< /Type /Page /Parent ${parent} /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents ${contents} >>`;
  const text = { dict: "", stream: latin1("BT /F1 12 Tf 72 712 Td (Loop) Tj ET") };
  if (kind === "kids") {
    return writePdf([
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [2 0 R 3 0 R 6 0 R] /Count 3 >>",
      page("4 0 R"),
      text,
      FONT,
      "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 6 0 R] /Count 2 >>",
    ]);
  }
  if (kind === "contents") {
    return writePdf([
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      page("4 0 R"),
      "6 0 R",
      FONT,
      "4 0 R",
    ]);
  }
  return writePdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 6 0 R /Resources 6 0 R >>",
    page("4 0 R", "6 0 R"),
    text,
    FONT,
    "<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 /Resources 2 0 R >>",
  ]);
}

/** Arrays or dictionaries nested `depth` deep, in the page dictionary or in the content stream. */
export function deepNestingPdf(depth: number, where: "page" | "content", shape: "array" | "dict"): Uint8Array {
  const open = shape === "array" ? "[" : "<< /K ";
  const close = shape === "array" ? "]" : " >>";
  const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
  if (where === "content") {
    return onePage({ dict: "", stream: latin1(`BT /F1 12 Tf 72 712 Td (Deep) Tj ET ${nested} pop`) });
  }
  return writePdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Deep ${nested} /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>`,
    { dict: "", stream: latin1("BT /F1 12 Tf 72 712 Td (Deep) Tj ET") },
    FONT,
  ]);
}

/**
 * A text layer that reads as NUL characters: the font's /ToUnicode map sends "|" (0x7C) to
 * U+0000 (as some real PDFs do), so pdf.js extracts "\u0000" between the words.
 */
export function nulTextPdf(): Uint8Array {
  const cmap = [
    "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /NulMap def /CMapType 2 def",
    "1 begincodespacerange <00> <FF> endcodespacerange",
    "1 beginbfchar <7C> <0000> endbfchar",
    "2 beginbfrange <20> <7B> <0020> <7D> <7E> <007D> endbfrange",
    "endcmap CMapName currentdict /CMap defineresource pop end end",
  ].join("\n");
  return writePdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    {
      dict: "",
      stream: latin1("BT /F1 12 Tf 72 712 Td (Opening|hours of the Nulport shop:|from 9 to 17||every day.) Tj ET"),
    },
    `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode 6 0 R >>`,
    { dict: "", stream: latin1(cmap) },
  ]);
}

/** The first `fraction` of a valid multi-page PDF. */
export function truncatedPdf(fraction: number, pages = 3): Uint8Array {
  const whole = textPdf(
    Array.from({ length: pages }, (_, i) => `Page ${i + 1} of a file cut short.`),
    { compress: true },
  );
  return whole.slice(0, Math.max(16, Math.floor(whole.length * fraction)));
}

/** "%PDF-1.x" followed by `bytes` (random garbage, or bits of PDF syntax). */
export function garbagePdf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([latin1("%PDF-1.4\n"), Buffer.from(bytes)]));
}
