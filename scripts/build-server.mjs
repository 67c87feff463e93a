/**
 * Bundles server.ts (the self-hosted entry point) and the lib/ code it imports into
 * dist/server.mjs. Packages stay external (loaded from node_modules at run time, shared
 * with Next.js's server); `server-only` marks lib/ modules as server code and is empty
 * here, as it is in Next.js's server bundles. Run by `npm run build` after `next build`.
 */
import { build } from "esbuild";

const started = performance.now();
await build({
  entryPoints: ["server.ts"],
  outfile: "dist/server.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  plugins: [
    {
      name: "server-only",
      setup(b) {
        b.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "empty" }));
        b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "", loader: "js" }));
      },
    },
  ],
});
console.log(`dist/server.mjs built in ${Math.round(performance.now() - started)} ms`);
