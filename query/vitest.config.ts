import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "query", environment: "node", include: ["test/**/*.test.ts", "src/**/*.test.ts"] },
});
