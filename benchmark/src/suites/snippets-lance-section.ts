/**
 * The @evodb/snippets-lance half of the snippets section: builds the index from raw vectors, serves
 * it from a fetch-counting MemoryObjectStore, records the headline query against the issue's
 * targets, the recall/latency curve and the memory per query.
 */
import { MemoryObjectStore } from "@evodb/core";
import { buildIndex, search, writeIndex, type BuiltIndex, type IndexHeader } from "@evodb/snippets-lance";
import type { SuiteContext } from "../harness/registry";
import { K, QUERY_COUNT, VECTOR_DIM, VECTOR_ROWS, type VectorData } from "./snippets-data";
import { CountingFetcher, loadHeader, measureQueries, percentiles, type QueryConfig, type QueryStats } from "./snippets-lance-measure";
import { measureQueryMemory } from "./snippets-memory";

/**
 * The operating point the targets are checked on: SQ8 of residuals (the package default code) at
 * nprobes 4, without refine vectors, whose 4·D bytes per row would put a query's reads past the 2 MB
 * memory budget. The package default, nprobes 8, adds recall (see the curve) but on this shared
 * 2-core machine its p99 CPU was above 5 ms in every run so far: the curve reports it as measured.
 */
export const HEADLINE: QueryConfig = { nprobes: 4, refine: false };

/** Points of the recall/latency curve. */
const CURVE: Array<QueryConfig & { label: string }> = [
  ...[1, 2, 4, 8, 16].map((nprobes) => ({ label: `SQ8 of residuals, nprobes ${nprobes}`, nprobes, refine: false })),
  ...[2, 4, 8].map((nprobes) => ({ label: `SQ8 + refine x4, nprobes ${nprobes}`, nprobes, refine: true, refineFactor: 4 })),
];

/** Both indexes of the section and what building them cost. */
export interface BuiltIndexes {
  fetcher: CountingFetcher;
  headers: { plain: IndexHeader; refined: IndexHeader };
  built: { plain: BuiltIndex; refined: BuiltIndex };
  buildSeconds: { plain: number; refined: number };
}

/** Builds the SQ8 and SQ8 + refine indexes from the raw vectors and writes them to one store. */
export async function buildIndexes(ctx: SuiteContext, data: VectorData): Promise<BuiltIndexes> {
  const store = new MemoryObjectStore();
  const time = (refine: boolean): { built: BuiltIndex; seconds: number } => {
    const started = performance.now();
    const built = buildIndex(data.vectors, { dim: VECTOR_DIM, refine });
    return { built, seconds: (performance.now() - started) / 1000 };
  };
  const plain = time(false);
  ctx.log(`built SQ8 index in ${plain.seconds.toFixed(1)} s`);
  const refined = time(true);
  ctx.log(`built SQ8 + refine index in ${refined.seconds.toFixed(1)} s`);
  await writeIndex(store, "plain", plain.built);
  await writeIndex(store, "refined", refined.built);
  const fetcher = new CountingFetcher(store);
  return {
    fetcher,
    headers: { plain: await loadHeader(fetcher, "plain"), refined: await loadHeader(fetcher, "refined") },
    built: { plain: plain.built, refined: refined.built },
    buildSeconds: { plain: plain.seconds, refined: refined.seconds },
  };
}

function timingOf(samples: readonly number[]): { medianMs: number; p99Ms: number; minMs: number; runs: number } {
  const { p50, p99 } = percentiles(samples);
  return { medianMs: p50, p99Ms: p99, minMs: samples[0]!, runs: samples.length };
}

function run(indexes: BuiltIndexes, data: VectorData, config: QueryConfig): Promise<QueryStats> {
  const index = config.refine ? "refined" : "plain";
  return measureQueries(indexes.fetcher, index, indexes.headers[index], data, config);
}

/** Records the headline figures, the curve and memory. */
export async function measureSnippetsLance(ctx: SuiteContext, data: VectorData, indexes: BuiltIndexes): Promise<void> {
  const group = `Vector search, ${VECTOR_ROWS.toLocaleString("en-US")} x ${VECTOR_DIM}, SQ8 of residuals, nprobes ${HEADLINE.nprobes}`;
  const headline = await run(indexes, data, HEADLINE);
  const cpu = percentiles(headline.cpuMs);
  ctx.record({
    group, name: "fetches per query, max (header not cached)", value: headline.maxColdFetches, unit: "fetches", better: "lower",
    targets: [{ of: "value", op: "<=", threshold: 5, label: "<= 5" }],
    note: `Counted by a RangeFetcher around the store, over ${QUERY_COUNT} queries; with the header cached the max was ${headline.maxWarmFetches}.`,
  });
  ctx.record({
    group, name: "CPU per query, p99", value: cpu.p99, unit: "ms", better: "lower", timing: timingOf(headline.cpuMs),
    targets: [{ of: "value", op: "<=", threshold: 5, label: "<= 5 ms" }],
    note: "process.cpuUsage() (user + system, whole process) around planSearch and scoreSearch, the synchronous compute of " +
      "one query (query check, centroid scan, range coalescing, CRC-32C of every fetched partition, SQ8 scan, re-rank); " +
      "the awaited Range reads between them are outside the timers, so store latency is excluded. Header cached; " +
      "one query at a time on one thread; each query computed 3 times and its least CPU time kept, because process CPU " +
      "time also counts V8's GC helper threads and this shared VM's neighbours slow single runs (the p99 of first runs " +
      `alone was ${percentiles(headline.singleRunCpuMs).p99.toFixed(2)} ms). Wall time of the same calls: p50 ${percentiles(headline.wallMs).p50.toFixed(2)} ms, ` +
      `p99 ${percentiles(headline.wallMs).p99.toFixed(2)} ms.`,
  });
  ctx.record({
    group, name: "recall@10 vs exact search", value: headline.recall, unit: "", better: "higher",
    targets: [{ of: "value", op: ">=", threshold: 0.9, label: ">= 0.90" }],
    note: `${QUERY_COUNT} held-out queries from the same mixture; exact top-${K} by brute-force squared l2 over all rows.`,
  });
  ctx.record({ group, name: "data bytes fetched per query, mean", value: headline.meanBytes, unit: "bytes", better: "lower" });
  ctx.record({ group, name: "data bytes fetched per query, max", value: headline.maxBytes, unit: "bytes", better: "lower" });
  ctx.record({ group, name: "header size (cached per isolate)", value: indexes.built.plain.header.length, unit: "bytes", better: "lower" });

  ctx.record({
    group, name: "index build from raw vectors", value: indexes.buildSeconds.plain, unit: "s", better: "lower",
    note: `buildIndex on the Float32Array (seeded k-means, ${indexes.headers.plain.partitionCount} partitions, SQ8 of residuals); ` +
      `with float32 refine vectors as well it took ${indexes.buildSeconds.refined.toFixed(1)} s. Data objects: ` +
      `${(indexes.built.plain.data.length / 1e6).toFixed(1)} MB, with refine vectors ${(indexes.built.refined.data.length / 1e6).toFixed(1)} MB.`,
  });

  const rows = [
    "| Configuration | recall@10 | CPU p50 / p99 ms | CPU p99, single run | wall p50 / p99 ms | KB fetched mean / max | fetches max (cold / warm) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const point of CURVE) {
    const stats = point.nprobes === HEADLINE.nprobes && point.refine === HEADLINE.refine ? headline : await run(indexes, data, point);
    const c = percentiles(stats.cpuMs);
    const w = percentiles(stats.wallMs);
    rows.push(`| ${point.label} | ${stats.recall.toFixed(3)} | ${c.p50.toFixed(2)} / ${c.p99.toFixed(2)} | ${percentiles(stats.singleRunCpuMs).p99.toFixed(2)} | ` +
      `${w.p50.toFixed(2)} / ${w.p99.toFixed(2)} | ${(stats.meanBytes / 1024).toFixed(0)} / ${(stats.maxBytes / 1024).toFixed(0)} | ${stats.maxColdFetches} / ${stats.maxWarmFetches} |`);
    ctx.log(rows[rows.length - 1]!);
  }
  // Last: its forced GCs discard optimised code, which would slow the next timed queries.
  const { headers, fetcher } = indexes;
  const memory = await measureQueryMemory(QUERY_COUNT, 50, async (i) =>
    search(fetcher.fetch, data.queries[i]!, { index: "plain", k: K, nprobes: HEADLINE.nprobes, headerCache: new Map([["plain", headers.plain]]) }),
  );
  ctx.record({
    group, name: "memory growth per query, max", value: memory.maxTransientBytes, unit: "bytes", better: "lower",
    targets: [{ of: "value", op: "<=", threshold: 2 * 1024 * 1024, label: "<= 2 MiB" }],
    note: "heapUsed + arrayBuffers (process.memoryUsage) just before and just after one whole search() (header cached), " +
      "in steady state after 50 warm-up queries and without forcing a GC (a forced GC discards V8's optimised code and " +
      "the next queries then allocate boxed floats in the interpreter); everything the query allocated is still counted " +
      `at its end, fetched Range bodies included. ${memory.runs - memory.spoiled} of ${memory.runs} queries ` +
      `(${memory.spoiled} left out because a GC ran during them); mean ${(memory.meanTransientBytes / 1024).toFixed(0)} KiB. ` +
      `Retained: ${memory.retainedBytesPerQuery.toFixed(0)} bytes per query ((heap after - before) / ${memory.runs} over ` +
      `${memory.runs} queries between two forced full GCs, --expose-gc set at run time; code V8 re-creates after the ` +
      "first GC is included).",
  });
  ctx.note(`**Recall/latency curve** (${QUERY_COUNT} queries per row; header cached for CPU and bytes; CPU and wall as in the ` +
    "headline, least of 3 runs per query; \"single run\" is the p99 of each query's first run, noise from other threads and " +
    `neighbours included):\n\n${rows.join("\n")}`);
}
