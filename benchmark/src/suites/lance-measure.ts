/**
 * Search latency and recall of @evodb/lance-reader against lancedb on the same Lance table: every
 * query is run by both engines back to back (ours, then lancedb), so a neighbour slowing the shared
 * cores slows both alike, and each query's latency is one sample of the p50/p99.
 */
import { loadavg } from "node:os";
import { EvoDBError } from "@evodb/core";
import type { LanceDataset, VectorSearcher } from "@evodb/lance-reader";
import type * as lancedb from "@lancedb/lancedb";
import type { SuiteContext } from "../harness/registry";
import { quantile, type Timing } from "../harness/timing";
import { recallOf } from "./lance-data";
import type { CountingObjectStore } from "./query-tables";

/** Results per query, as the issue's recall@10. */
export const K = 10;

/** One point of the curve. */
export interface SearchPoint {
  readonly nprobes: number;
  /** Exact re-ranking of k * refineFactor PQ candidates; undefined: none. */
  readonly refineFactor?: number;
}

/** Latency and recall of both engines at one point. */
export interface PointResult {
  readonly ours: Timing;
  readonly lancedb: Timing;
  readonly oursRecall: number;
  readonly lancedbRecall: number;
  /** Object-store reads (range gets) per query by our reader, warm. */
  readonly oursReadsPerQuery: number;
  /** One-minute load average when the point finished (the machine has 2 cores). */
  readonly loadAverage: number;
}

/** What a point is measured on. */
export interface SearchBench {
  readonly dataset: LanceDataset;
  readonly searcher: VectorSearcher;
  /** The store the dataset was opened through, counting reads. */
  readonly store: CountingObjectStore;
  readonly table: lancedb.Table;
  readonly queries: readonly Float32Array[];
  /** Exact neighbours (row positions) of each query. */
  readonly truth: readonly Int32Array[];
}

function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), minMs: sorted[0]!, runs: sorted.length };
}

/**
 * Row positions of Lance row addresses (fragment * 2^32 + offset): fragments in manifest order,
 * each starting where the previous one ends, as the table was written.
 */
export function positionsOf(dataset: LanceDataset): (address: number) => number {
  const starts = new Map<number, number>();
  let position = 0;
  for (const fragment of dataset.fragments) {
    starts.set(fragment.fragment.id, position);
    position += fragment.physicalRows;
  }
  return (address) => {
    const fragment = Math.floor(address / 2 ** 32);
    const start = starts.get(fragment);
    if (start === undefined) throw new EvoDBError("INVALID_ARGUMENT", `row address ${address} names fragment ${fragment}, which the dataset does not have`);
    return start + (address - fragment * 2 ** 32);
  };
}

/**
 * The lancedb query of a point: nearest `k` by the index, returning the `id` column and the
 * distance (naming `_distance` avoids lance's deprecation warning on every query).
 */
function lancedbQuery(table: lancedb.Table, query: Float32Array, point: SearchPoint): lancedb.VectorQuery {
  let q = table.query().nearestTo(query).nprobes(point.nprobes).limit(K).select(["id", "_distance"]);
  if (point.refineFactor !== undefined) q = q.refineFactor(point.refineFactor);
  return q;
}

/** The search each engine runs for one query at `point`, returning row positions. */
function engines(bench: SearchBench, point: SearchPoint): { ours: (query: Float32Array) => Promise<number[]>; theirs: (query: Float32Array) => Promise<number[]> } {
  const position = positionsOf(bench.dataset);
  return {
    ours: async (query) => {
      const result = await bench.searcher.search({ column: "vector", query, k: K, nprobes: point.nprobes, ...(point.refineFactor === undefined ? {} : { refineFactor: point.refineFactor }) });
      return Array.from(result.rowIds, position);
    },
    theirs: async (query) => {
      const result = await lancedbQuery(bench.table, query, point).toArrow();
      return Array.from(result.getChild("id")!.toArray() as Int32Array);
    },
  };
}

/**
 * Runs every query once in both engines, untimed, at `nprobes`: every partition the measured points
 * probe is then loaded (and its per-partition precomputation done) on both sides, so the first
 * point measured is as warm as the last.
 */
export async function warmUp(bench: SearchBench, nprobes: number): Promise<void> {
  const { ours, theirs } = engines(bench, { nprobes });
  for (const query of bench.queries) {
    await ours(query);
    await theirs(query);
  }
}

/** Runs every query of `bench` at `point` in both engines; `warmup` queries first, untimed. */
export async function measurePoint(bench: SearchBench, point: SearchPoint, warmup = 10): Promise<PointResult> {
  const { queries, truth } = bench;
  const { ours, theirs } = engines(bench, point);
  for (let i = 0; i < Math.min(warmup, queries.length); i++) {
    await ours(queries[i]!);
    await theirs(queries[i]!);
  }
  bench.store.reset();
  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  let oursRecall = 0;
  let theirsRecall = 0;
  for (let i = 0; i < queries.length; i++) {
    const query = queries[i]!;
    let started = performance.now();
    const found = await ours(query);
    oursMs.push(performance.now() - started);
    started = performance.now();
    const theirsFound = await theirs(query);
    theirsMs.push(performance.now() - started);
    oursRecall += recallOf(found, truth[i]!);
    theirsRecall += recallOf(theirsFound, truth[i]!);
  }
  return {
    ours: summarize(oursMs), lancedb: summarize(theirsMs),
    oursRecall: oursRecall / queries.length, lancedbRecall: theirsRecall / queries.length, oursReadsPerQuery: bench.store.gets / queries.length,
    loadAverage: loadavg()[0]!,
  };
}

/** Label of a point, e.g. "nprobes 20, refine 5". */
export function pointLabel(point: SearchPoint): string {
  return `nprobes ${point.nprobes}, ${point.refineFactor === undefined ? "no refine" : `refine ${point.refineFactor}`}`;
}

/**
 * Records the latency and recall figures of one point; `size` (e.g. "20,000 x 128") prefixes the
 * names so that the report's notes stay unambiguous.
 */
export function recordPoint(ctx: SuiteContext, group: string, size: string, point: SearchPoint, result: PointResult, latencyTargetMs?: number): void {
  const label = `${size}, ${pointLabel(point)}`;
  const ms = (v: number): string => v.toFixed(3);
  const reads = result.oursReadsPerQuery;
  ctx.record({
    group,
    name: `${label}: latency p50`,
    value: result.ours.medianMs,
    unit: "ms/query",
    better: "lower",
    timing: result.ours,
    baseline: { name: "lancedb", value: result.lancedb.medianMs },
    targets: [
      ...(latencyTargetMs === undefined ? [] : [{ of: "value", op: "<=", threshold: latencyTargetMs, label: `<= ${latencyTargetMs} ms` } as const]),
      { of: "ratio", op: "<=", threshold: 1, label: "not slower than lancedb" },
    ],
    note:
      `recall@${K} ${result.oursRecall.toFixed(3)} (lancedb ${result.lancedbRecall.toFixed(3)}); p99 ${ms(result.ours.p99Ms)} ms ` +
      `(lancedb ${ms(result.lancedb.p99Ms)} ms) over ${result.ours.runs} queries; ${reads.toFixed(1)} store reads per query; ` +
      `load average ${result.loadAverage.toFixed(1)}.`,
    ...(latencyTargetMs !== undefined && result.ours.medianMs > latencyTargetMs
      ? {
        why:
          `Wall-clock on 2 cores shared with other processes: the one-minute load average was ` +
          `${result.loadAverage.toFixed(1)} when this point finished.`,
      }
      : {}),
    ...(point.refineFactor !== undefined && result.ours.medianMs > result.lancedb.medianMs
      ? {
        why:
          `Re-ranking reads the ${K * point.refineFactor} candidates' vectors from the data file: ${reads.toFixed(1)} range reads per query ` +
          `(up to 8 in flight), each a DirectoryObjectStore.get: one read on a cached open file, a trip through libuv's thread pool, ` +
          `where lancedb reads on its own threads; without refine (no reads) we are faster.`,
      }
      : {}),
  });
  ctx.record({
    group,
    name: `${label}: recall@${K}`,
    value: result.oursRecall,
    unit: "recall",
    better: "higher",
    baseline: { name: "lancedb", value: result.lancedbRecall },
  });
}
