/**
 * Bundles server.ts (the self-hosted entry point) and the lib/ code it imports into
 * dist/server.mjs and its chunks (dist/chunks/). Packages stay external (loaded from node_modules at run time, shared
 * with Next.js's server); `server-only` marks lib/ modules as server code and is empty
 * here, as it is in Next.js's server bundles. Run by `npm run build` after `next build`.
 */
import fs from "node:fs";
import { build } from "esbuild";

// SERVER_OUT_DIR: another output folder, so parallel builds of one checkout do not collide.
const outdir = process.env.SERVER_OUT_DIR || "dist";
const started = performance.now();
fs.rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: ["server.ts"],
  outdir,
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  // Dynamic imports become chunks loaded when server.ts imports them (after Next.js is ready).
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  plugins: [
    {
      // Next.js has no "exports" map: Node's ESM loader needs the file name (next/headers.js).
      // Such imports come in with lib/ modules the webhook path does not call.
      name: "next-subpaths",
      setup(b) {
        b.onResolve({ filter: /^next\/[a-z-]+$/ }, (args) => ({ path: `${args.path}.js`, external: true }));
      },
    },
    {
      name: "server-only",
      setup(b) {
        b.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "empty" }));
        b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "", loader: "js" }));
      },
    },
  ],
});
console.log(`${outdir}/server.mjs built in ${Math.round(performance.now() - started)} ms`);
