import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "core", environment: "node", include: ["test/**/*.test.ts", "src/**/*.test.ts"], exclude: ["test/workers/**"] },
});
