/**
 * Per-query measurements of @evodb/snippets-lance on the section's vectors: fetches, bytes, recall
 * and the CPU time of the synchronous compute of a query (planSearch + scoreSearch), with the store's
 * latency left out: the Range reads are awaited between the two timed halves, outside the timers.
 */
import { MemoryObjectStore } from "@evodb/core";
import { decodeHeader, planSearch, scoreSearch, search, type IndexHeader, type RangeFetcher, type ScoredRows } from "@evodb/snippets-lance";
import { quantile } from "../harness/timing";
import { hitsAmong } from "./lance-data";
import { K, type VectorData } from "./snippets-data";

/** One point of the recall/latency curve. */
export interface QueryConfig {
  nprobes: number;
  /** Re-rank with the stored float32 vectors (needs an index built with `refine: true`). */
  refine: boolean;
  refineFactor?: number;
}

/** What a configuration cost over every query. */
export interface QueryStats {
  recall: number;
  /** CPU time (process.cpuUsage, user + system) of planSearch + scoreSearch per query, least of REPEATS runs, ms, sorted. */
  cpuMs: number[];
  /** The same, first run of each query only (noise included), ms, sorted. */
  singleRunCpuMs: number[];
  /** Wall time (performance.now) of the same two synchronous calls, least of REPEATS runs, ms, sorted. */
  wallMs: number[];
  /** Subrequests of one query through `search` with no header cache (header fetched every time). */
  maxColdFetches: number;
  /** Same with the header cached in module scope, as a Snippet keeps it. */
  maxWarmFetches: number;
  /** Data bytes read per query (header excluded). */
  meanBytes: number;
  maxBytes: number;
  meanPartitions: number;
}

/** A MemoryObjectStore behind a RangeFetcher that counts calls (each one a Snippet subrequest). */
export class CountingFetcher {
  calls = 0;
  bytes = 0;
  constructor(readonly store: MemoryObjectStore) {}

  readonly fetch: RangeFetcher = async (key, range) => {
    this.calls++;
    const object = await this.store.get(key, range === undefined ? undefined : { range });
    if (object === null) return null;
    // MemoryObjectStore hands out a fresh copy per read, as a Range response body from R2 is.
    const bytes = new Uint8Array(await object.arrayBuffer());
    this.bytes += bytes.length;
    return bytes;
  };
}

/** Timed computations of each query; the least is kept. */
export const REPEATS = 3;

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** Loads and decodes the header once, as a Snippet's module-scope cache would hold it. */
export async function loadHeader(fetcher: CountingFetcher, index: string): Promise<IndexHeader> {
  const bytes = await fetcher.fetch(`${index}/header`);
  if (bytes === null) throw new Error(`benchmark: index ${index} was not written`);
  return decodeHeader(bytes);
}

/** Runs 50 queries untimed (warm-up: V8 optimises the kernels), then every query measured. */
export async function measureQueries(fetcher: CountingFetcher, index: string, header: IndexHeader, data: VectorData, config: QueryConfig): Promise<QueryStats> {
  const options = { k: K, refine: config.refine, refineFactor: config.refineFactor, index };
  const dataKey = `${index}/${header.dataKey}`;
  const fetchReads = async (reads: { offset: number; length: number }[]): Promise<Uint8Array[]> =>
    Promise.all(reads.map(async (r) => (await fetcher.fetch(dataKey, r))!));
  for (const query of data.queries.slice(0, 50)) {
    const plan = planSearch(header, query, { nprobes: config.nprobes, maxReads: 5 });
    scoreSearch(header, plan, await fetchReads(plan.reads), options);
  }
  const stats: QueryStats = { recall: 0, cpuMs: [], singleRunCpuMs: [], wallMs: [], maxColdFetches: 0, maxWarmFetches: 0, meanBytes: 0, maxBytes: 0, meanPartitions: 0 };
  const headerCache = new Map<string, IndexHeader>([[index, header]]);
  let hits = 0;
  for (let q = 0; q < data.queries.length; q++) {
    const query = data.queries[q]!;
    // Timed: the two synchronous halves. Not timed: the awaited Range reads between them. Each
    // query is computed REPEATS times and its least time kept: process CPU time also counts other
    // threads (V8's GC helpers) and a shared VM's neighbours slow a run, neither of which is the
    // query's own cost; the spread across queries (bigger partitions, more candidates) remains.
    let scored: ScoredRows | undefined;
    let bestCpu = Infinity;
    let bestWall = Infinity;
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const cpu0 = cpuMicros();
      const wall0 = performance.now();
      const plan = planSearch(header, query, { nprobes: config.nprobes, maxReads: 5 });
      const wall1 = performance.now();
      const cpu1 = cpuMicros();
      const buffers = await fetchReads(plan.reads);
      const cpu2 = cpuMicros();
      const wall2 = performance.now();
      scored = scoreSearch(header, plan, buffers, options);
      const wall3 = performance.now();
      const cpu3 = cpuMicros();
      const cpuMs = (cpu1 - cpu0 + cpu3 - cpu2) / 1000;
      if (repeat === 0) stats.singleRunCpuMs.push(cpuMs);
      bestCpu = Math.min(bestCpu, cpuMs);
      bestWall = Math.min(bestWall, wall1 - wall0 + wall3 - wall2);
    }
    stats.cpuMs.push(bestCpu);
    stats.wallMs.push(bestWall);

    // The same query through the public entry point, cold and warm, for the subrequest counts.
    const before = fetcher.calls;
    const cold = await search(fetcher.fetch, query, { index, k: K, nprobes: config.nprobes, refine: config.refine, refineFactor: config.refineFactor });
    const warm = await search(fetcher.fetch, query, { index, k: K, nprobes: config.nprobes, refine: config.refine, refineFactor: config.refineFactor, headerCache });
    if (fetcher.calls - before !== cold.fetches + warm.fetches) throw new Error("benchmark: search under-counted its fetches");
    if (warm.rowIds.join() !== scored!.rowIds.join()) throw new Error("benchmark: search and planSearch+scoreSearch disagree");
    stats.maxColdFetches = Math.max(stats.maxColdFetches, cold.fetches);
    stats.maxWarmFetches = Math.max(stats.maxWarmFetches, warm.fetches);
    stats.meanBytes += warm.bytesRead / data.queries.length;
    stats.maxBytes = Math.max(stats.maxBytes, warm.bytesRead);
    stats.meanPartitions += warm.partitionsProbed / data.queries.length;
    hits += hitsAmong(data.truth[q]!, scored!.rowIds);
  }
  stats.recall = hits / (data.queries.length * K);
  stats.cpuMs.sort((a, b) => a - b);
  stats.wallMs.sort((a, b) => a - b);
  stats.singleRunCpuMs.sort((a, b) => a - b);
  return stats;
}

/** Median and p99 (nearest rank) of sorted samples. */
export function percentiles(sorted: readonly number[]): { p50: number; p99: number } {
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}
