/** The bundle-size section (issue 9, "Benchmark report"; targets from issues 6 and 7). */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { registerSuite, type Target } from "../harness/registry";
import { measureBundle, type BundleSize, type BundleSpec } from "./bundle-measure";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Every publishable library package, bundled for Workers; then opt-in subpaths with their main entry. */
const LIBRARIES: readonly BundleSpec[] = [
  ...["core", "lakehouse", "writer", "rpc", "reader", "query", "edge-cache", "lance-reader", "snippets-lance", "snippets-chain"].map(
    (dir): BundleSpec => ({ dir, platform: "browser" }),
  ),
  // IVF_HNSW_SQ search is opt-in (`@evodb/lance-reader/hnsw`): what a deploy importing both ships.
  { dir: "lance-reader", platform: "browser", exports: [".", "./hnsw"] },
];

/** The `evodb` CLI runs on Node and loads commander and tsx from node_modules, so they stay out. */
const CLI: BundleSpec = { dir: "codegen", platform: "node", externalNpmDependencies: true };

/** Gzip budgets in kB (1,000 bytes, the stricter reading of "KB"). */
const GZIP_TARGETS: Record<string, { kb: number; source: string }> = {
  "@evodb/lance-reader": { kb: 25, source: "issue 6: reader with search (IVF_PQ and flat; IVF_HNSW_SQ is the opt-in /hnsw entry)" },
  "@evodb/snippets-lance": { kb: 32, source: "issue 7: Snippets package limit" },
};

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function describeContents(size: BundleSize): string {
  const parts = size.contents.map((c) => `${c.name} ${kb(c.bytes)}`).join(", ");
  const externals = size.externals.length > 0 ? `; left external: ${size.externals.join(", ")}` : "";
  return `includes (minified bytes): ${parts}${externals}.`;
}

registerSuite({
  id: "bundle",
  title: "Bundle sizes",
  order: 90,
  description:
    "Each package's main entry (`exports[\".\"]`, so every export it offers) bundled with esbuild " +
    "(`bundle`, `minify`, ESM, platform browser with the workerd/worker/browser conditions, `cloudflare:*` and " +
    "`node:*` left external), including its workspace and npm dependencies as a deploy would, then gzip level 9 " +
    "(node:zlib). A name joining entries with + bundles them together (an opt-in subpath with the main entry, as a deploy " +
    "importing both ships them). kB = 1,000 bytes. Nothing is timed: sizes are exact for the commit measured.",
  async run(ctx) {
    const workspaceDirs = readdirSync(ROOT).filter((d) => existsSync(path.join(ROOT, d, "package.json")));
    const mainGzip = new Map<string, number>();
    for (const spec of LIBRARIES) {
      const size = await measureBundle(ROOT, spec, workspaceDirs);
      if (spec.exports === undefined) mainGzip.set(spec.dir, size.gzipBytes);
      const main = spec.exports === undefined ? undefined : mainGzip.get(spec.dir);
      const increment = main === undefined ? "" : ` The subpaths add ${kb(size.gzipBytes - main)} gzip to the main entry alone.`;
      ctx.log(`${size.name}: ${size.minifiedBytes} B minified, ${size.gzipBytes} B gzip`);
      const target = GZIP_TARGETS[size.name];
      const targets: Target[] = target ? [{ of: "value", op: "<=", threshold: target.kb * 1000, label: `<= ${target.kb} kB (${target.source})` }] : [];
      const over = target !== undefined && size.gzipBytes > target.kb * 1000;
      ctx.record({
        group: "Minified + gzip level 9", name: size.name, value: size.gzipBytes, unit: "bytes", better: "lower",
        ...(targets.length > 0 ? { targets } : {}), note: describeContents(size) + increment,
        ...(over
          ? { why: `${size.gzipBytes - target.kb * 1000} bytes over; largest files (minified): ${size.largestFiles.map((f) => `${f.path} ${kb(f.bytes)}`).join(", ")}.` }
          : {}),
      });
      ctx.record({ group: "Minified", name: size.name, value: size.minifiedBytes, unit: "bytes", better: "lower" });
    }
    const cli = await measureBundle(ROOT, CLI, workspaceDirs);
    ctx.record({
      group: "Node CLI (not deployed to Workers)", name: `${cli.name}, minified + gzip`, value: cli.gzipBytes, unit: "bytes", better: "lower",
      note: `Platform node, with its npm dependencies (commander, tsx) left external; ${kb(cli.minifiedBytes)} minified; ${describeContents(cli)}`,
    });
  },
});
