import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// The fan-out tree runs inside workerd: every subrequest is a real fetch through a real service
// binding from the test Worker back to itself (TOOLCHAIN.md sections 3 and 8).
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./test/workers/worker.ts",
      wrangler: { configPath: "./test/workers/wrangler.jsonc" },
    }),
  ],
  // Generous timeout: each test runs a tree of up to 156 Worker invocations on a shared machine.
  test: { name: "snippets-chain-workers", include: ["test/workers/**/*.test.ts"], testTimeout: 180_000 },
});
