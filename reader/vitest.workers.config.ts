import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// The Cache API and R2 exist only inside workerd, so the tests that use them run there
// (TOOLCHAIN.md sections 3 and 8).
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./test/workers/worker.ts",
      wrangler: { configPath: "./test/workers/wrangler.jsonc" },
    }),
  ],
  test: { name: "reader-workers", include: ["test/workers/**/*.test.ts"] },
});
