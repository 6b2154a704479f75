import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "snippets-chain", environment: "node", include: ["test/**/*.test.ts"], exclude: ["test/workers/**"] },
});
