/**
 * Timed comparison of an EvoDB operation with its baseline: both are run alternately (see
 * `measureSideBySide`), so the ratio holds even when other work shares the cores.
 */
import { perSecond, type Figure, type FigureInput, type SuiteContext } from "../harness/registry";
import type { MeasureOptions } from "../harness/timing";

/** One side-by-side comparison; the figure's value and baseline are rates of `count` items per second. */
export interface TimedComparison extends Omit<FigureInput, "value" | "timing" | "baseline"> {
  /** Items processed per run of either operation (documents, values). */
  count: number;
  operation: () => unknown;
  baselineName: string;
  baselineOperation: () => unknown;
  options?: MeasureOptions;
}

/** Measures both operations alternately and records the EvoDB figure with the baseline timed beside it. */
export async function compareTimed(ctx: SuiteContext, comparison: TimedComparison): Promise<Figure> {
  const { count, operation, baselineName, baselineOperation, options, ...figure } = comparison;
  const [timing, baselineTiming] = await ctx.measureSideBySide([operation, baselineOperation], options);
  return ctx.record({
    ...figure,
    value: perSecond(count, timing!),
    timing: timing!,
    baseline: { name: baselineName, value: perSecond(count, baselineTiming!) },
  });
}
