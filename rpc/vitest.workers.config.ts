import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// The Durable Object classes run inside workerd with real SQLite storage, alarms, R2 and
// hibernatable WebSockets (TOOLCHAIN.md sections 3 and 8).
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./test/workers/worker.ts",
      wrangler: { configPath: "./test/workers/wrangler.jsonc" },
      miniflare: { bindings: { EVODB_CDC_SECRET: "rpc-test-secret-0123456789" } },
    }),
  ],
  test: { name: "rpc-workers", include: ["test/workers/**/*.test.ts"] },
});
