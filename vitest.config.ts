import { defineConfig } from "vitest/config";

// One vitest process for the whole workspace. Each package has a `vitest.config.ts` for plain-Node
// tests of pure code and, where it touches a binding, a `vitest.workers.config.ts` run in workerd.
export default defineConfig({
  test: {
    projects: ["*/vitest.config.ts", "*/vitest.workers.config.ts", "examples/*/vitest.config.ts"],
  },
});
