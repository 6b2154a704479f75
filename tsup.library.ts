import { defineConfig, type Options } from "tsup";

/** What differs between the published packages' builds. */
export interface LibraryBuild {
  /** Output name (without extension) -> source file. */
  entry: Record<string, string>;
  /** `neutral` for Workers-and-Node code (the default), `node` for Node-only packages. */
  platform?: "neutral" | "node";
  /** Ambient types the declaration build needs (e.g. `node` for a Node-only entry). */
  dtsTypes?: string[];
  /** Entries that get declarations, when not all of them (a CLI binary needs none). */
  dtsEntry?: Record<string, string>;
  /** Imports left to the runtime besides dependencies, which tsup never bundles. */
  external?: string[];
}

/**
 * The one build of every published `@evodb/*` package: ESM and `.d.ts` into `dist/`, for ES2022,
 * which Workers and Node 20 both run.
 */
export function libraryConfig(build: LibraryBuild): Options | Options[] {
  return defineConfig({
    entry: build.entry,
    format: ["esm"],
    dts: {
      ...(build.dtsEntry ? { entry: build.dtsEntry } : {}),
      // tsup 8.5 injects `baseUrl` into the declaration build, which TypeScript 6 rejects (TS5101)
      // unless deprecations are silenced; see TOOLCHAIN.md section 5.
      compilerOptions: { ignoreDeprecations: "6.0", ...(build.dtsTypes ? { types: build.dtsTypes } : {}) },
    },
    clean: true,
    sourcemap: true,
    target: "es2022",
    platform: build.platform ?? "neutral",
    ...(build.external ? { external: build.external } : {}),
  }) as Options | Options[];
}
