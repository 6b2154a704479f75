import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "edge-cache", environment: "node", include: ["test/**/*.test.ts"], exclude: ["test/workers/**"] },
});
