import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "durable-objects": "src/durable-objects.ts" },
  format: ["esm"],
  // tsup 8.5 injects `baseUrl` into the DTS build; TypeScript 6 rejects it (TS5101) unless
  // deprecations are silenced. See TOOLCHAIN.md section 5.
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  // The Durable Object classes extend the runtime's base class; it only exists inside workerd.
  external: ["cloudflare:workers", "@evodb/core"],
});
