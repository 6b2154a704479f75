import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "reader", environment: "node", include: ["test/**/*.test.ts", "src/**/*.test.ts"], exclude: ["test/workers/**"] },
});
