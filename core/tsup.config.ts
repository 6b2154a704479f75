import { libraryConfig } from "../tsup.library";

export default libraryConfig({
  entry: { index: "src/index.ts", "node/index": "src/node/index.ts" },
  // The node entry imports node:*; Workers bundles never reach it (separate entry point).
  dtsTypes: ["@cloudflare/workers-types", "node"],
  external: ["node:fs", "node:fs/promises", "node:path", "node:crypto"],
});
