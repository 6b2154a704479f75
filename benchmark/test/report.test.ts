import { describe, expect, it } from "vitest";
import { completeFigure, perSecond } from "../src/harness/registry";
import { formatValue, renderMarkdown, summarize, type RunResult, type SectionResult } from "../src/harness/report";
import { measure, measureSideBySide, quantile } from "../src/harness/timing";

describe("timing", () => {
  it("takes quantiles by nearest rank", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it("runs warm-up plus at least minRuns and at most maxRuns", async () => {
    let calls = 0;
    const timing = await measure(() => calls++, { warmupRuns: 2, minRuns: 3, maxRuns: 4, minTimeMs: 10_000 });
    expect(timing.runs).toBe(4);
    expect(calls).toBe(6);
    expect(timing.minMs).toBeLessThanOrEqual(timing.medianMs);
    expect(timing.medianMs).toBeLessThanOrEqual(timing.p99Ms);
  });

  it("awaits async operations", async () => {
    let done = 0;
    await measure(async () => {
      await Promise.resolve();
      done++;
    }, { warmupRuns: 0, minRuns: 2, maxRuns: 2 });
    expect(done).toBe(2);
  });

  it("converts a median into a rate", () => {
    expect(perSecond(1000, { medianMs: 500, p99Ms: 600, minMs: 400, runs: 3 })).toBe(2000);
  });
});

describe("figures and summary", () => {
  const fast = completeFigure("core", {
    name: "decode", value: 400e6, unit: "values/s", better: "higher", baseline: { name: "hyparquet", value: 10e6 },
    targets: [
      { of: "value", op: ">=", threshold: 300e6, label: ">= 300 M values/s" },
      { of: "ratio", op: ">=", threshold: 10, label: ">= 10x hyparquet" },
    ],
  });
  const big = completeFigure("core", {
    name: "block bytes", value: 150, unit: "bytes", better: "lower", baseline: { name: "Parquet", value: 100 },
    targets: [{ of: "ratio", op: "<=", threshold: 1.2, label: "<= 1.2x Parquet" }], why: "strings are not dictionary-coded",
  });

  it("computes the ratio to the baseline and the target verdict", () => {
    expect(fast.ratio).toBe(40);
    expect(fast.met).toBe(true);
    expect(big.ratio).toBe(1.5);
    expect(big.met).toBe(false);
    expect(completeFigure("core", { name: "x", value: 1, unit: "bytes", better: "lower" })).not.toHaveProperty("met");
  });

  it("names missed targets and the worst ratio, oriented by which direction is better", () => {
    const section: SectionResult = { id: "core", title: "Core", description: "", figures: [fast, big], pending: [], notes: [] };
    const summary = summarize([section]);
    expect(summary.targetsMet).toBe(1);
    expect(summary.targetsTotal).toBe(2);
    expect(summary.missed.map((m) => m.name)).toEqual(["block bytes"]);
    expect(summary.worst?.name).toBe("block bytes");
    expect(summary.worst?.why).toBe("strings are not dictionary-coded");
    expect(summary.missed[0]?.why).toBe("strings are not dictionary-coded");
  });

  it("renders one document with the summary, the load caution and a table row per figure", () => {
    const section: SectionResult = { id: "core", title: "Core", description: "What.", figures: [fast, big], pending: [], notes: [] };
    const run: RunResult = {
      generatedAt: "2026-01-01T00:00:00.000Z", command: "pnpm bench", durationSeconds: 1,
      machine: { cpuModel: "cpu", logicalCores: 2, ramGiB: 1, node: "v20", v8: "11", os: "Linux", arch: "x64", loadAverage: { start: 5, end: 1 } },
      dataset: { count: 10, seed: 1, ndjsonBytes: 100, avgDocBytes: 10, generator: "g" },
      sections: [section], summary: summarize([section]),
    };
    const markdown = renderMarkdown(run);
    expect(markdown).toContain("Targets met: **1 of 2**");
    expect(markdown).toContain("Why: strings are not dictionary-coded");
    expect(markdown).toContain("Largest leads: decode vs hyparquet 40.00x");
    expect(markdown).toContain("Caution: the load average was 5 to 1");
    expect(markdown).toContain("| block bytes | 150 B |");
  });

  it("formats rates and sizes", () => {
    expect(formatValue(312.4e6, "values/s")).toBe("312 M values/s");
    expect(formatValue(1.5e6, "docs/s")).toBe("1.50 M docs/s");
    expect(formatValue(6_279_562, "bytes")).toBe("6.28 MB");
  });
});

describe("side-by-side timing", () => {
  it("alternates operations and times each as often", async () => {
    const order: string[] = [];
    const timings = await measureSideBySide([() => order.push("a"), () => order.push("b")], {
      warmupRuns: 1, minRuns: 3, maxRuns: 3, minTimeMs: 0,
    });
    expect(order).toEqual(["a", "b", "a", "b", "a", "b", "a", "b"]);
    expect(timings.map((t) => t.runs)).toEqual([3, 3]);
  });
});
