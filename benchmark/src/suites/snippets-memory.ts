/**
 * Memory one vector query costs, measured with V8's own accounting: `process.memoryUsage()`
 * (heapUsed + arrayBuffers, the latter holding the fetched bytes) around queries.
 *
 * A query's allocation is read in steady state, with no forced GC: a forced (memory-reducing) full
 * GC also throws away optimised code, and the next few dozen queries then run in V8's interpreter,
 * which boxes every float it computes (measured: ~2 MB of heap per query instead of ~0.2 MB).
 * Readings during which a GC ran are left out. A forced GC is used only around the retained figure.
 */
import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";

/** A full, synchronous garbage collection. `--expose-gc` set at run time applies to new contexts. */
export function fullGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

function used(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** What {@link measureQueryMemory} found. */
export interface QueryMemory {
  /** Largest (heapUsed + arrayBuffers) growth across one query, bytes. */
  maxTransientBytes: number;
  meanTransientBytes: number;
  /** Readings left out because a GC ran during the query. */
  spoiled: number;
  /** Growth that survives a full GC after `runs` queries, divided by `runs`, bytes per query. */
  retainedBytesPerQuery: number;
  runs: number;
}

/**
 * Runs `query(i)` for i in 0..runs-1 (after `warmup` untimed queries): once reading how much each
 * allocates while it runs (every fetched buffer, scratch array and result is still reachable or not
 * yet collected at its end), then all in a row between two full GCs to see what survives.
 */
export async function measureQueryMemory(runs: number, warmup: number, query: (i: number) => Promise<unknown>): Promise<QueryMemory> {
  const gc = fullGc();
  const collections: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push(entry.startTime);
  });
  observer.observe({ entryTypes: ["gc"] });
  const transient: number[] = [];
  let spoiled = 0;
  try {
    for (let i = 0; i < warmup; i++) await query(i % runs);
    const windows: Array<[number, number, number]> = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const before = used();
      const result = await query(i);
      const after = used();
      windows.push([started, performance.now(), after - before]);
      if (result === undefined) throw new Error("benchmark: query returned nothing");
    }
    // Let the observer deliver every collection of the loop before the windows are checked.
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (const [start, end, delta] of windows) {
      if (collections.some((t) => t >= start && t <= end)) spoiled++;
      else transient.push(delta);
    }
    gc();
    const before = used();
    for (let i = 0; i < runs; i++) await query(i);
    gc();
    const retained = (used() - before) / runs;
    return {
      maxTransientBytes: Math.max(...transient),
      meanTransientBytes: transient.reduce((a, b) => a + b, 0) / Math.max(1, transient.length),
      spoiled,
      retainedBytesPerQuery: retained,
      runs,
    };
  } finally {
    observer.disconnect();
  }
}
