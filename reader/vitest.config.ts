import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "reader", environment: "node", testTimeout: 30_000, include: ["test/**/*.test.ts", "src/**/*.test.ts"], exclude: ["test/workers/**"] },
});
