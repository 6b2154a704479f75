import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "snippets-lance",
    environment: "node",
    include: ["test/**/*.test.ts"],
    exclude: ["test/workers/**"],
    // Building the 20,000-vector recall fixture (k-means) takes a few seconds on a loaded machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
