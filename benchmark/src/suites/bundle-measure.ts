/**
 * Bundle size of one package as a user's deploy would ship it: esbuild bundles the package's main
 * entry (or several of its export entries together) with everything it imports (workspace packages
 * and npm dependencies alike), minified, ESM; then gzip level 9. The metafile says how many output
 * bytes each package contributed.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { EvoDBError } from "@evodb/core";

/** How one package is bundled. */
export interface BundleSpec {
  /** Package directory under the repository root, e.g. "lance-reader". */
  readonly dir: string;
  /** "browser" for packages that run in Workers/Snippets; "node" for the CLI. */
  readonly platform: "browser" | "node";
  /** Leave npm dependencies out (for a Node CLI, which loads them from node_modules at run time). */
  readonly externalNpmDependencies?: boolean;
  /**
   * Export entries bundled together (keys of `exports`, default `["."]`), e.g. `[".", "./hnsw"]`
   * for a deploy that imports an opt-in subpath besides the main entry.
   */
  readonly exports?: readonly string[];
}

/** Sizes of one bundle and what went into it. */
export interface BundleSize {
  readonly name: string;
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  /** Output bytes (minified, before gzip) per package that contributed code, largest first. */
  readonly contents: readonly { readonly name: string; readonly bytes: number }[];
  /** The largest input files by output bytes (minified, before gzip), paths relative to the repository. */
  readonly largestFiles: readonly { readonly path: string; readonly bytes: number }[];
  /** Imports left external (platform modules), e.g. "cloudflare:workers". */
  readonly externals: readonly string[];
}

/** Input files listed per bundle in {@link BundleSize.largestFiles}. */
const LARGEST_FILES = 6;

interface PackageJson {
  name: string;
  exports?: Record<string, { default?: string } | string>;
  dependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as PackageJson;
}

/** The source file of export entry `key` (`exports[key].default`). */
function exportEntry(dir: string, pkg: PackageJson, key: string): string {
  const entry = pkg.exports?.[key];
  const file = typeof entry === "string" ? entry : entry?.default;
  if (!file) throw new EvoDBError("INVALID_ARGUMENT", `${pkg.name} has no ${JSON.stringify(key)} export in ${dir}/package.json; bundle sizes need that entry.`);
  return path.join(dir, file);
}

/** The bundle's display name: the package, plus the subpaths bundled with its main entry. */
function bundleName(pkg: PackageJson, keys: readonly string[]): string {
  const subpaths = keys.filter((k) => k !== ".").map((k) => `${pkg.name}${k.slice(1)}`);
  return subpaths.length === 0 ? pkg.name : `${keys.includes(".") ? `${pkg.name} + ` : ""}${subpaths.join(" + ")}`;
}

/** Which package an input file of the metafile belongs to: an npm package name, or the workspace package holding it. */
function ownerOf(input: string, root: string, workspaceNames: Map<string, string>): string {
  const normalized = input.replace(/\\/g, "/");
  if (normalized.includes("node_modules/")) {
    const parts = shortPath(normalized).split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const relative = path.relative(root, path.resolve(root, normalized)).split(path.sep)[0]!;
  return workspaceNames.get(relative) ?? relative;
}

/** An input path without the pnpm store prefix: `fzstd/esm/index.mjs`, `lance-reader/src/file.ts`. */
function shortPath(input: string): string {
  const normalized = input.replace(/\\/g, "/");
  const inModules = normalized.lastIndexOf("node_modules/");
  return inModules >= 0 ? normalized.slice(inModules + "node_modules/".length) : normalized;
}

function contentsOf(metafile: Metafile, root: string, workspaceNames: Map<string, string>): BundleSize["contents"] {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const owner = ownerOf(input, root, workspaceNames);
      bytes.set(owner, (bytes.get(owner) ?? 0) + info.bytesInOutput);
    }
  }
  return [...bytes].filter(([, b]) => b > 0).sort((a, b) => b[1] - a[1]).map(([name, b]) => ({ name, bytes: b }));
}

/**
 * Bundles the package in `root/spec.dir`. `workspaceDirs` lists every workspace package directory
 * (to name the workspace packages a bundle includes).
 */
export async function measureBundle(root: string, spec: BundleSpec, workspaceDirs: readonly string[]): Promise<BundleSize> {
  const dir = path.join(root, spec.dir);
  const pkg = readPackage(dir);
  const workspaceNames = new Map(workspaceDirs.map((d) => [d, readPackage(path.join(root, d)).name]));
  const npmDependencies = Object.entries(pkg.dependencies ?? {}).filter(([, version]) => !version.startsWith("workspace:")).map(([name]) => name);
  const keys = spec.exports ?? ["."];
  const files = keys.map((key) => exportEntry(dir, pkg, key));
  const result = await build({
    // Several entries are bundled as one module re-exporting them all, as one deploy importing each.
    ...(files.length === 1
      ? { entryPoints: files }
      : { stdin: { contents: files.map((f) => `export * from ${JSON.stringify(f)};`).join("\n"), resolveDir: dir, loader: "ts" as const } }),
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: "esm",
    platform: spec.platform,
    // Workers resolve the "workerd"/"worker" export conditions before "browser".
    conditions: spec.platform === "browser" ? ["workerd", "worker", "browser"] : [],
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
    external: ["cloudflare:*", "node:*", ...(spec.externalNpmDependencies ? npmDependencies.flatMap((name) => [name, `${name}/*`]) : [])],
  });
  const code = result.outputFiles[0]!.contents;
  const externals = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) for (const entry of output.imports) if (entry.external) externals.add(entry.path);
  const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs).map(([input, info]) => ({ path: shortPath(input), bytes: info.bytesInOutput })));
  return {
    name: bundleName(pkg, keys),
    largestFiles: inputs.sort((a, b) => b.bytes - a.bytes).slice(0, LARGEST_FILES),
    minifiedBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    contents: contentsOf(result.metafile, root, workspaceNames),
    externals: [...externals].sort(),
  };
}
