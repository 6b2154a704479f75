import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "lakehouse", environment: "node", include: ["test/**/*.test.ts", "src/**/*.test.ts"], exclude: ["test/workers/**"], testTimeout: 60_000 },
});
