/** The Lance search section (issue 6, "Size and speed"): IVF_PQ search latency and recall against lancedb. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirectoryObjectStore } from "@evodb/core/node";
import { openDataset, VectorSearcher } from "@evodb/lance-reader";
import { registerSuite, type SuiteContext } from "../harness/registry";
import { exactNeighbours, mixtureVectors } from "./lance-data";
import { K, measurePoint, recordPoint, warmUp, type SearchBench, type SearchPoint } from "./lance-measure";
import { writeIndexedTable, type IvfPqParameters, type WrittenTable } from "./lance-tables";
import { CountingObjectStore } from "./query-tables";

const DIM = 128;
/** Queries per point; each is one latency sample of each engine. */
const QUERIES = 200;
/** Issue 6: at most 0.5 ms per query at nprobes 20 without refine on 20,000 x 128. */
const TARGET_MS = 0.5;

interface SizeSpec {
  readonly rows: number;
  readonly index: IvfPqParameters;
  /** Points measured besides the headline nprobes 20 without refine. */
  readonly curve: readonly SearchPoint[];
}

const CURVE: readonly SearchPoint[] = [
  { nprobes: 5 }, { nprobes: 10 }, { nprobes: 40 },
  { nprobes: 5, refineFactor: 5 }, { nprobes: 10, refineFactor: 5 }, { nprobes: 20, refineFactor: 5 }, { nprobes: 40, refineFactor: 5 },
];

/**
 * About 300-400 rows per partition (lancedb's default is sqrt(rows)), 16 sub-vectors of 8
 * dimensions, 10 IVF k-means iterations instead of lancedb's 50 and, at 100,000 rows, 128 training
 * rows per partition instead of 256. Building the indices still takes most of the section's time
 * (45-90 s at 100,000 rows on the 2-core benchmark machine, depending on its load): lancedb's Node API
 * does not expose the PQ codebook training's sample size or iterations.
 */
const SIZES: readonly SizeSpec[] = [
  { rows: 20_000, index: { numPartitions: 64, numSubVectors: 16, maxIterations: 10, sampleRate: 256 }, curve: CURVE },
  { rows: 100_000, index: { numPartitions: 256, numSubVectors: 16, maxIterations: 10, sampleRate: 128 }, curve: CURVE },
];

/** Seeds: the same space for table and queries, different samples. */
const SPACE_SEED = 606;
const TABLE_SAMPLE_SEED = 607;
const QUERY_SAMPLE_SEED = 608;

async function measureSize(ctx: SuiteContext, dir: string, size: SizeSpec): Promise<void> {
  const { rows, index } = size;
  const label = `${rows.toLocaleString("en")} x ${DIM}`;
  ctx.log(`${label}: generating vectors and writing the table with lancedb`);
  const vectors = mixtureVectors({ spaceSeed: SPACE_SEED, sampleSeed: TABLE_SAMPLE_SEED, rows, dim: DIM });
  const name = `vectors_${rows}`;
  const written = await writeIndexedTable(dir, name, vectors, DIM, index);
  ctx.log(`${label}: table written in ${(written.writeMs / 1000).toFixed(1)} s, IVF_PQ built in ${(written.indexMs / 1000).toFixed(1)} s`);

  const all = mixtureVectors({ spaceSeed: SPACE_SEED, sampleSeed: QUERY_SAMPLE_SEED, rows: QUERIES, dim: DIM });
  const queries = Array.from({ length: QUERIES }, (_, i) => all.subarray(i * DIM, (i + 1) * DIM));
  const truth = queries.map((q) => exactNeighbours(vectors, DIM, q, K));
  ctx.log(`${label}: exact neighbours of ${QUERIES} queries computed`);

  const directory = new DirectoryObjectStore(dir);
  try {
    await searchTable(ctx, new CountingObjectStore(directory), size, { label, name, queries, truth, written });
  } finally {
    // Releases the file handles the store keeps open for range reads.
    await directory.close();
  }
}

/** What {@link searchTable} measures: the table lancedb wrote, the queries and their exact neighbours. */
interface WrittenBench {
  readonly label: string;
  readonly name: string;
  readonly queries: Float32Array[];
  readonly truth: SearchBench["truth"];
  readonly written: WrittenTable;
}

/** Times both engines on one written table, our reader going through `store`. */
async function searchTable(ctx: SuiteContext, store: CountingObjectStore, size: SizeSpec, { label, name, queries, truth, written }: WrittenBench): Promise<void> {
  const { rows, index } = size;
  const dataset = await openDataset(store, `${name}.lance`);
  const searcher = new VectorSearcher(dataset);
  // Cold: the first query loads the index (centroids, codebook, partition table, and the auxiliary
  // file, which is read whole below 4 MiB). Every timed query after it is warm.
  const coldStarted = performance.now();
  await searcher.search({ column: "vector", query: queries[0]!, k: K, nprobes: 20 });
  const coldMs = performance.now() - coldStarted;
  ctx.log(`${label}: first query (loads the index) ${coldMs.toFixed(0)} ms`);
  const bench: SearchBench = { dataset, searcher, store, table: written.table, queries, truth };

  const group = `${label}, IVF_PQ ${index.numPartitions} partitions, ${index.numSubVectors} sub-vectors`;
  const widest = Math.max(20, ...size.curve.map((point) => point.nprobes));
  ctx.log(`${label}: warm-up, every query once at nprobes ${widest} in both engines`);
  await warmUp(bench, widest);
  ctx.log(`${label}: nprobes 20, no refine`);
  const headline = await measurePoint(bench, { nprobes: 20 });
  recordPoint(ctx, group, label, { nprobes: 20 }, headline, rows === 20_000 ? TARGET_MS : undefined);
  for (const point of size.curve) {
    ctx.log(`${label}: nprobes ${point.nprobes}, refine ${point.refineFactor ?? "none"}`);
    recordPoint(ctx, group, label, point, await measurePoint(bench, point));
  }
  ctx.note(
    `${label}: lancedb wrote the table in ${(written.writeMs / 1000).toFixed(1)} s and built the index ` +
    `(${index.numPartitions} partitions, ${index.numSubVectors} sub-vectors, 8 bits, ${index.maxIterations} k-means iterations on ` +
    `${index.sampleRate} rows per partition) ` +
    `in ${(written.indexMs / 1000).toFixed(1)} s; our first (cold) query, which loads the index, took ${coldMs.toFixed(1)} ms.`,
  );
}

registerSuite({
  id: "lance",
  title: "Lance: IVF_PQ vector search against lancedb",
  order: 40,
  description:
    `@evodb/lance-reader searching tables that @lancedb/lancedb (0.37.1, native, multi-threaded) wrote in a temporary ` +
    `directory: ${DIM}-dimensional float32 vectors from a seeded Gaussian mixture (100 clusters, each spread over its own ` +
    `8-dimensional subspace plus noise), IVF_PQ l2 indices built by lancedb. Our reader opens the dataset through ` +
    `DirectoryObjectStore (@evodb/core/node) on one thread, with the index loaded once (warm). Each point runs ${QUERIES} ` +
    `fresh queries from the same mixture, each by both engines back to back (lancedb returning the id column and distance, ours row addresses and distances); ` +
    `latency is wall-clock per query, p50 in the table and p99 in the notes. Recall@${K} is against exact search ` +
    `(brute force in JS over the raw vectors) for both engines.`,
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), "evodb-lance-bench-"));
    try {
      for (const size of SIZES) await measureSize(ctx, dir, size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
