/**
 * Wall-clock timing of one operation: warm up (so V8 has optimised the code and the heap has
 * grown), then repeat until a time budget or a run cap is reached, and report the median and the
 * 99th percentile. Nothing is pinned to a core: the benchmark machines have 2 shared cores, so a run
 * can be slowed by a neighbour, which the median absorbs and the p99 shows.
 */

/** How long and how often to repeat a measured operation. */
export interface MeasureOptions {
  /** Untimed runs before measuring. Default 2. */
  warmupRuns?: number;
  /** Keep measuring until this much time has been spent... Default 1000 ms. */
  minTimeMs?: number;
  /** ...and at least this many runs were timed. Default 5. */
  minRuns?: number;
  /** Never time more runs than this. Default 10,000. */
  maxRuns?: number;
}

/** Timings of one measured operation, in milliseconds per run. */
export interface Timing {
  medianMs: number;
  p99Ms: number;
  minMs: number;
  runs: number;
}

/** The value at quantile `q` (0..1) of `sorted` (ascending), by nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Times `operation` (sync or async). Its return value is kept in a sink so that V8 cannot drop the
 * work as dead code.
 */
export async function measure(operation: () => unknown, options: MeasureOptions = {}): Promise<Timing> {
  const { warmupRuns = 2, minTimeMs = 1000, minRuns = 5, maxRuns = 10_000 } = options;
  let sink: unknown;
  for (let i = 0; i < warmupRuns; i++) {
    sink = operation();
    if (sink instanceof Promise) sink = await sink;
  }
  const samples: number[] = [];
  const started = nowMs();
  while (samples.length < maxRuns && (samples.length < minRuns || nowMs() - started < minTimeMs)) {
    const t0 = nowMs();
    sink = operation();
    if (sink instanceof Promise) sink = await sink;
    samples.push(nowMs() - t0);
  }
  keep(sink);
  samples.sort((a, b) => a - b);
  return { medianMs: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99), minMs: samples[0]!, runs: samples.length };
}

let kept: unknown;
/** Holds on to a result so that the optimiser must compute it. */
function keep(value: unknown): void {
  kept = value;
  if (kept === keep) console.log("unreachable");
}

/**
 * Times several operations by alternating them run by run (A, B, A, B, ...), so a neighbour that
 * slows the shared cores for a while slows all of them alike and their ratio stays fair. Stops when
 * every operation has at least `minRuns` runs and `minTimeMs` has passed per operation, or at `maxRuns`.
 */
export async function measureSideBySide(operations: readonly (() => unknown)[], options: MeasureOptions = {}): Promise<Timing[]> {
  const { warmupRuns = 2, minTimeMs = 1000, minRuns = 5, maxRuns = 10_000 } = options;
  let sink: unknown;
  for (const operation of operations) {
    for (let i = 0; i < warmupRuns; i++) {
      sink = operation();
      if (sink instanceof Promise) sink = await sink;
    }
  }
  const samples: number[][] = operations.map(() => []);
  const budgetMs = minTimeMs * operations.length;
  const started = nowMs();
  let rounds = 0;
  while (rounds < maxRuns && (rounds < minRuns || nowMs() - started < budgetMs)) {
    for (let k = 0; k < operations.length; k++) {
      const t0 = nowMs();
      sink = operations[k]!();
      if (sink instanceof Promise) sink = await sink;
      samples[k]!.push(nowMs() - t0);
    }
    rounds++;
  }
  keep(sink);
  return samples.map((runs) => {
    runs.sort((a, b) => a - b);
    return { medianMs: quantile(runs, 0.5), p99Ms: quantile(runs, 0.99), minMs: runs[0]!, runs: runs.length };
  });
}
