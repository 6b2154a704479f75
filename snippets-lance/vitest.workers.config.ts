import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Search against a real R2 bucket inside workerd, where Snippets and Workers run (TOOLCHAIN.md
// sections 3 and 8).
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./test/workers/worker.ts",
      wrangler: { configPath: "./test/workers/wrangler.jsonc" },
    }),
  ],
  test: { name: "snippets-lance-workers", include: ["test/workers/**/*.test.ts"], testTimeout: 120_000 },
});
