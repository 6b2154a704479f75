import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// The app runs inside workerd with its real wrangler.jsonc (TOOLCHAIN.md sections 3 and 8). The
// secret comes from here, as `wrangler secret put` would provide it; flushes run only when a test
// asks (runDurableObjectAlarm), so tests see each step.
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./src/index.ts",
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: { bindings: { EVODB_CDC_SECRET: "example-test-secret-0123456789", EVODB_QUERY_TOKEN: "example-test-query-token", EVODB_TOKEN_SECRET: "example-test-token-secret-0123456789", EVODB_FLUSH_DELAY_MS: "3600000" } },
    }),
  ],
  test: { name: "example-lakehouse", include: ["test/**/*.test.ts"] },
});
