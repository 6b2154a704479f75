import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", lance: "src/lance.ts" },
  format: ["esm"],
  // tsup 8.5 injects `baseUrl` into the DTS build; TypeScript 6 rejects it (TS5101) unless
  // deprecations are silenced. See TOOLCHAIN.md section 5.
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
});
