/**
 * `npm run report:js`: the first-load JavaScript of every page of the build, gzipped, the
 * way a browser with an empty cache receives it: Next.js's root main files (runtime,
 * React, the router) plus the client chunks of the page and of each layout above it, read
 * from the build's client reference manifests (`.next/server/app/** /page_client-reference-manifest.js`).
 * Shared chunks are counted once per page. Prints a table, then PASS/FAIL against the
 * target for the dashboard and admin pages (≤ 200 KB gzipped) and exits 1 on a FAIL.
 * NEXT_DIST_DIR chooses the build folder (default `.next`). Run after `next build`.
 */
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import zlib from "node:zlib";

const TARGET_KB = 200;
const dist = path.resolve(process.env.NEXT_DIST_DIR || ".next");
const buildManifest = JSON.parse(fs.readFileSync(path.join(dist, "build-manifest.json"), "utf8"));
const rootMain = buildManifest.rootMainFiles ?? [];

const gz = new Map();
function gzipKb(file) {
  if (!gz.has(file)) {
    const body = fs.readFileSync(path.join(dist, file.replace(/^\/_next\//, "")));
    gz.set(file, { raw: body.length / 1024, gzip: zlib.gzipSync(body, { level: 6 }).length / 1024 });
  }
  return gz.get(file);
}

function manifests(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...manifests(full));
    else if (entry.name === "page_client-reference-manifest.js") out.push(full);
  }
  return out;
}

const rows = [];
for (const file of manifests(path.join(dist, "server", "app"))) {
  const sandbox = { globalThis: {} };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(fs.readFileSync(file, "utf8"), sandbox);
  for (const [key, manifest] of Object.entries(sandbox.__RSC_MANIFEST ?? {})) {
    // key: "/(dashboard)/dashboard/documents/page"; the page and the layouts above it.
    const segments = key
      .replace(/\/page$/, "")
      .split("/")
      .filter(Boolean);
    const wanted = new Set(["[project]/app/layout", `[project]/app${key}`]);
    for (let i = 1; i <= segments.length; i++) wanted.add(`[project]/app/${segments.slice(0, i).join("/")}/layout`);
    const files = new Set(rootMain);
    for (const [entry, chunks] of Object.entries(manifest.entryJSFiles ?? {})) {
      if (wanted.has(entry)) for (const c of chunks) files.add(c);
    }
    let raw = 0;
    let gzip = 0;
    for (const f of files) {
      const size = gzipKb(f);
      raw += size.raw;
      gzip += size.gzip;
    }
    const route = `/${segments.filter((s) => !/^\(.*\)$/.test(s)).join("/")}`;
    rows.push({ route, files: files.size, raw, gzip });
  }
}
rows.sort((a, b) => a.route.localeCompare(b.route));

console.log(`First-load JavaScript per page (${path.relative(process.cwd(), dist) || "."}; gzip level 6)\n`);
console.log("| page | files | raw KB | gzipped KB |");
console.log("|---|--:|--:|--:|");
for (const r of rows) console.log(`| ${r.route} | ${r.files} | ${r.raw.toFixed(1)} | ${r.gzip.toFixed(1)} |`);
console.log("");
let failed = false;
for (const r of rows.filter((x) => x.route.startsWith("/dashboard") || x.route.startsWith("/admin"))) {
  const ok = r.gzip <= TARGET_KB;
  failed ||= !ok;
  console.log(`${ok ? "PASS" : "FAIL"}  ${r.route}: ${r.gzip.toFixed(1)} KB gzipped ≤ ${TARGET_KB} KB`);
}
if (rows.length === 0) {
  console.error("No page manifests found: run `next build` first.");
  process.exit(1);
}
process.exit(failed ? 1 : 0);
