import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// R2 and the Cache API exist only inside workerd (TOOLCHAIN.md sections 3 and 8).
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./test/workers/worker.ts",
      wrangler: { configPath: "./test/workers/wrangler.jsonc" },
    }),
  ],
  test: { name: "edge-cache-workers", include: ["test/workers/**/*.test.ts"] },
});
