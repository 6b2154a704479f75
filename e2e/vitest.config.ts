import { defineConfig } from "vitest/config";

// Every test here starts the reference app under `wrangler dev` (a real workerd with persisted local
// state), so files run one at a time: two apps building at once on a 2-core CI machine only slow
// each other down.
export default defineConfig({
  test: {
    name: "e2e",
    environment: "node",
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
