/**
 * The section model of the benchmark report. Each area (core formats, writer, query, Lance, Snippets)
 * registers one suite; `main.ts` runs them in order in one process, so every figure and its baseline
 * are measured side by side on the same machine and the same data, and `report.ts` turns the
 * recorded figures into one BENCHMARKS.md with a section per suite.
 */
import { EvoDBError } from "@evodb/core";
import type { Dataset } from "../dataset";
import type { MeasureOptions, Timing } from "./timing";

/** A goal for a figure: its value, or its ratio to the baseline, against a threshold. */
export interface Target {
  /** What is compared: the figure's value (in its unit) or its ratio value / baseline. */
  readonly of: "value" | "ratio";
  readonly op: ">=" | "<=";
  readonly threshold: number;
  /** Human wording, e.g. ">= 300 M values/s". */
  readonly label: string;
}

/** One measured number, as written to results.json. */
export interface Figure {
  /** Suite id this figure belongs to. */
  readonly section: string;
  readonly name: string;
  /** Sub-heading inside the section (e.g. "Write path"); figures are shown grouped, groups in first-seen order. */
  readonly group?: string;
  readonly value: number;
  readonly unit: string;
  /** Which direction is an improvement; used to rank ratios in "Where we stand". */
  readonly better: "higher" | "lower";
  /** Present when the figure was timed: milliseconds per run (median, p99, min) and run count. */
  readonly timing?: Timing;
  /** What the figure is compared with, measured in the same run on the same data. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value / baseline.value (so for sizes, below 1 means smaller than the baseline). */
  readonly ratio?: number;
  readonly targets?: readonly Target[];
  /** True when every target holds; absent when the figure has no target. */
  readonly met?: boolean;
  /** Context a reader needs: block size, what is included in the timing. */
  readonly note?: string;
  /** Short, measured explanation of a gap to the baseline or target; "Where we stand" quotes it. */
  readonly why?: string;
}

/** What a suite passes to {@link SuiteContext.record}; ratio and met are computed. */
export type FigureInput = Omit<Figure, "section" | "ratio" | "met">;

/** A figure that could not be measured in this run, and why (e.g. the code it needs is not built yet). */
export interface PendingFigure {
  readonly section: string;
  readonly name: string;
  readonly reason: string;
}

/** What a running suite can do. */
export interface SuiteContext {
  /** The shared event dataset, generated once per run. */
  readonly dataset: Dataset;
  /** Times an operation; see {@link MeasureOptions}. */
  measure(operation: () => unknown, options?: MeasureOptions): Promise<Timing>;
  /** Times operations alternately, run by run, for a fair ratio on shared cores; one timing per operation. */
  measureSideBySide(operations: readonly (() => unknown)[], options?: MeasureOptions): Promise<Timing[]>;
  /** Records a figure and returns it with its ratio and target verdict filled in. */
  record(figure: FigureInput): Figure;
  /** Records a figure that this run could not measure. */
  pending(name: string, reason: string): void;
  /** Adds a paragraph (Markdown) under the section's table. */
  note(markdown: string): void;
  /** Progress line on stderr. */
  log(message: string): void;
}

/** One area of the report. */
export interface Suite {
  /** Stable id, used as `section` in results.json. */
  readonly id: string;
  /** Section heading in BENCHMARKS.md. */
  readonly title: string;
  /** Sections appear in ascending order. */
  readonly order: number;
  /** Markdown paragraph under the heading: what is measured and how. */
  readonly description: string;
  run(context: SuiteContext): Promise<void>;
}

const registered: Suite[] = [];

/** Adds a suite to the run. Suite ids must be unique. */
export function registerSuite(suite: Suite): void {
  if (registered.some((s) => s.id === suite.id)) {
    throw new EvoDBError("INVALID_ARGUMENT", `Benchmark suite "${suite.id}" is registered twice; give each suite a unique id.`);
  }
  registered.push(suite);
}

/** Registered suites in report order. */
export function registeredSuites(): readonly Suite[] {
  return [...registered].sort((a, b) => a.order - b.order);
}

/** Ratio and target verdict for a figure. */
export function completeFigure(section: string, input: FigureInput): Figure {
  const ratio = input.baseline && input.baseline.value !== 0 ? input.value / input.baseline.value : undefined;
  let met: boolean | undefined;
  if (input.targets && input.targets.length > 0) {
    met = input.targets.every((target) => {
      const actual = target.of === "value" ? input.value : ratio;
      if (actual === undefined || Number.isNaN(actual)) return false;
      return target.op === ">=" ? actual >= target.threshold : actual <= target.threshold;
    });
  }
  return { section, ...input, ...(ratio === undefined ? {} : { ratio }), ...(met === undefined ? {} : { met }) };
}

/** Items per second from a count processed per run and its timing (median). */
export function perSecond(count: number, timing: Timing): number {
  return count / (timing.medianMs / 1000);
}
