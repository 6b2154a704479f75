/**
 * Timed comparison of an EvoDB operation with its baseline: both are run alternately (see
 * `measureSideBySide`), so the ratio holds even when other work shares the cores.
 */
import { perSecond, type Figure, type FigureInput, type SuiteContext } from "../harness/registry";
import type { MeasureOptions, Timing } from "../harness/timing";

/** One side-by-side comparison; the figure's value and baseline are rates of `count` items per second. */
export interface TimedComparison extends Omit<FigureInput, "value" | "timing" | "baseline"> {
  /** Items processed per run of either operation (documents, values). */
  count: number;
  operation: () => unknown;
  baselineName: string;
  baselineOperation: () => unknown;
  options?: MeasureOptions;
  /** Sets the figure's `why` once both timings are known (e.g. a measured breakdown of a gap). */
  explain?: (timing: Timing, baselineTiming: Timing) => string | undefined;
}

/** Measures both operations alternately and records the EvoDB figure with the baseline timed beside it. */
export async function compareTimed(ctx: SuiteContext, comparison: TimedComparison): Promise<Figure> {
  const { count, operation, baselineName, baselineOperation, options, explain, ...figure } = comparison;
  const [timing, baselineTiming] = await ctx.measureSideBySide([operation, baselineOperation], options);
  const why = explain?.(timing!, baselineTiming!);
  return ctx.record({
    ...figure,
    ...(why ? { why } : {}),
    value: perSecond(count, timing!),
    timing: timing!,
    baseline: { name: baselineName, value: perSecond(count, baselineTiming!) },
  });
}
