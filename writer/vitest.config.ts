import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "writer", environment: "node", include: ["test/**/*.test.ts"], exclude: ["test/workers/**"], testTimeout: 120_000 },
});
