import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// The writer model test against a real R2 binding inside workerd (TOOLCHAIN.md sections 3 and 8).
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./test/workers/worker.ts",
      wrangler: { configPath: "./test/workers/wrangler.jsonc" },
    }),
  ],
  test: { name: "writer-workers", include: ["test/workers/**/*.test.ts"], testTimeout: 300_000 },
});
