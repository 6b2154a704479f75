import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "lance-reader",
    environment: "node",
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // Writes the lancedb datasets once per run (about 25 s on 2 cores, see scripts/make-fixtures.ts).
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
