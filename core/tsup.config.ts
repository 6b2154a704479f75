import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "node/index": "src/node/index.ts" },
  format: ["esm"],
  // tsup 8.5 injects `baseUrl` into the DTS build; TypeScript 6 rejects it (TS5101) unless
  // deprecations are silenced. See TOOLCHAIN.md section 5.
  // The `node` entry (FsObjectStore) needs Node's types; core/tsconfig.json (Workers types only)
  // excludes src/node, so they are added for the declaration build here.
  dts: { compilerOptions: { ignoreDeprecations: "6.0", types: ["@cloudflare/workers-types", "node"] } },
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  external: ["node:fs", "node:fs/promises", "node:path", "node:crypto"],
});
