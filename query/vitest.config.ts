import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "query", environment: "node", testTimeout: 30_000, include: ["test/**/*.test.ts", "src/**/*.test.ts"] },
});
