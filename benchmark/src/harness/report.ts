/**
 * Turns the figures of one run into results.json (machine-readable) and BENCHMARKS.md (one section
 * per suite plus "Where we stand"). Both are generated; never edit them by hand.
 */
import type { Figure, PendingFigure, Target } from "./registry";
import type { MachineInfo } from "./machine";

/** What one suite produced. */
export interface SectionResult {
  id: string;
  title: string;
  description: string;
  figures: Figure[];
  pending: PendingFigure[];
  notes: string[];
  /** Set when the suite itself failed; its figures up to the failure are kept. */
  error?: string;
}

/** Everything a run produced, as written to results.json. */
export interface RunResult {
  generatedAt: string;
  command: string;
  durationSeconds: number;
  machine: MachineInfo;
  dataset: { count: number; seed: number; ndjsonBytes: number; avgDocBytes: number; generator: string };
  sections: SectionResult[];
  summary: Summary;
}

/** The headline of a run. */
export interface Summary {
  targetsMet: number;
  targetsTotal: number;
  missed: { section: string; name: string; value: number; unit: string; targets: string[]; why?: string }[];
  /** The figure that compares worst with its baseline (ratio normalised so > 1 is better). */
  worst?: { section: string; name: string; baseline: string; ratio: number; better: "higher" | "lower"; why?: string };
  pending: number;
}

/** Ratio oriented so that above 1 means EvoDB is better than its baseline. */
export function advantage(figure: Figure): number | undefined {
  if (figure.ratio === undefined) return undefined;
  return figure.better === "higher" ? figure.ratio : 1 / figure.ratio;
}

/** Computes the {@link Summary} of a set of sections. */
export function summarize(sections: readonly SectionResult[]): Summary {
  const figures = sections.flatMap((s) => s.figures);
  const withTargets = figures.filter((f) => f.met !== undefined);
  let worst: Summary["worst"];
  let worstAdvantage = Infinity;
  for (const figure of figures) {
    const adv = advantage(figure);
    if (adv === undefined || !figure.baseline || adv >= worstAdvantage) continue;
    worstAdvantage = adv;
    worst = {
      section: figure.section, name: figure.name, baseline: figure.baseline.name, ratio: figure.ratio!, better: figure.better,
      ...(figure.why ?? figure.note ? { why: figure.why ?? figure.note } : {}),
    };
  }
  return {
    targetsMet: withTargets.filter((f) => f.met).length,
    targetsTotal: withTargets.length,
    missed: withTargets
      .filter((f) => !f.met)
      .map((f) => ({
        section: f.section, name: f.name, value: f.value, unit: f.unit, targets: (f.targets ?? []).map((t) => t.label),
        ...(f.why ? { why: f.why } : {}),
      })),
    ...(worst ? { worst } : {}),
    pending: sections.reduce((n, s) => n + s.pending.length, 0),
  };
}

const SCALES: readonly [number, string][] = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];

function significant(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Human form of a value in its unit: rates scaled (k/M/G), bytes in MB or kB. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  if (unit === "bytes") {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)} MB`;
    if (value >= 1e3) return `${(value / 1e3).toFixed(1)} kB`;
    return `${value} B`;
  }
  if (unit.endsWith("/s")) {
    for (const [scale, prefix] of SCALES) {
      if (Math.abs(value) >= scale) return `${significant(value / scale)} ${prefix} ${unit}`;
    }
  }
  return `${significant(value)} ${unit}`;
}

function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined) return "";
  return ratio >= 100 ? `${ratio.toFixed(0)}x` : `${ratio.toFixed(2)}x`;
}

function formatTargets(targets: readonly Target[] | undefined): string {
  return (targets ?? []).map((t) => t.label).join("; ");
}

function formatTiming(figure: Figure): string {
  const t = figure.timing;
  if (!t) return "";
  const ms = (v: number): string => (v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(3));
  return `${ms(t.medianMs)} / ${ms(t.p99Ms)} ms (${t.runs})`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function renderSection(section: SectionResult): string {
  const out: string[] = [`## ${section.title}`, "", section.description, ""];
  if (section.error) out.push(`**This section failed part-way:** ${escapeCell(section.error)}`, "");
  const groups: string[] = [];
  for (const f of section.figures) if (!groups.includes(f.group ?? "")) groups.push(f.group ?? "");
  for (const group of groups) {
    if (group) out.push(`### ${group}`, "");
    out.push(
      "| Figure | Value | Median / p99 per run (runs) | Baseline | Ratio | Target | Met |",
      "| --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const f of section.figures.filter((x) => (x.group ?? "") === group)) {
      const baseline = f.baseline ? `${escapeCell(f.baseline.name)}: ${formatValue(f.baseline.value, f.unit)}` : "";
      const met = f.met === undefined ? "" : f.met ? "yes" : "**no**";
      out.push(
        `| ${escapeCell(f.name)} | ${formatValue(f.value, f.unit)} | ${formatTiming(f)} | ${baseline} | ${formatRatio(f.ratio)} | ${escapeCell(formatTargets(f.targets))} | ${met} |`,
      );
    }
    out.push("");
  }
  const noted = section.figures.filter((f) => f.note || f.why);
  if (noted.length > 0) {
    out.push("Notes:", "");
    for (const f of noted) out.push(`- **${f.name}**: ${[f.note, f.why].filter((part) => part).join(" ")}`);
    out.push("");
  }
  if (section.pending.length > 0) {
    out.push("Not measured in this run:", "");
    for (const p of section.pending) out.push(`- **${p.name}**: ${p.reason}`);
    out.push("");
  }
  for (const paragraph of section.notes) out.push(paragraph, "");
  return out.join("\n");
}

function renderWhereWeStand(run: RunResult): string {
  const { summary } = run;
  const out: string[] = ["## Where we stand", ""];
  out.push(`- Targets met: **${summary.targetsMet} of ${summary.targetsTotal}**.`);
  for (const m of summary.missed) {
    out.push(`  - Missed: ${m.name} (${m.section}): ${formatValue(m.value, m.unit)}; target ${m.targets.join("; ")}.${m.why ? ` Why: ${m.why}` : ""}`);
  }
  if (summary.worst) {
    const w = summary.worst;
    const direction = w.better === "higher" ? "higher is better" : "lower is better";
    out.push(
      `- Worst ratio against a baseline: **${w.name}** vs ${w.baseline}, ${formatRatio(w.ratio)} (${direction}).` +
        (w.why ? ` Why: ${w.why}` : ""),
    );
  }
  const leads = run.sections
    .flatMap((section) => section.figures)
    .filter((f) => (advantage(f) ?? 0) > 1)
    .sort((a, b) => advantage(b)! - advantage(a)!)
    .slice(0, 3);
  if (leads.length > 0) {
    out.push(`- Largest leads: ${leads.map((f) => `${f.name} vs ${f.baseline!.name} ${formatRatio(f.ratio)}`).join("; ")}.`);
  }
  if (summary.pending > 0) out.push(`- Figures not measured in this run: ${summary.pending} (listed in their sections).`);
  const load = run.machine.loadAverage;
  if (Math.max(load.start, load.end) > run.machine.logicalCores) {
    out.push(
      `- Caution: the load average was ${load.start} to ${load.end} on ${run.machine.logicalCores} cores during this run, so other ` +
        "processes took CPU time: absolute rates are low, ratios (timed side by side, run by run) are the figures to trust.",
    );
  }
  out.push("");
  return out.join("\n");
}

/** The whole BENCHMARKS.md document. */
export function renderMarkdown(run: RunResult): string {
  const m = run.machine;
  const d = run.dataset;
  const head = [
    "# EvoDB benchmarks",
    "",
    `Generated by \`${run.command}\` on ${run.generatedAt} in ${run.durationSeconds.toFixed(0)} s. Do not edit by hand:`,
    "every number below comes from one run of one process, with each figure and its baseline measured side by side",
    "on the same data. Machine-readable copy: `benchmark/results.json`.",
    "",
    "## Machine",
    "",
    `- CPU: ${m.cpuModel}, ${m.logicalCores} logical cores (shared VM; nothing pinned, every timing is single-threaded JS`,
    "  unless stated), so the median of many runs is reported and the p99 shows interference.",
    `- RAM: ${m.ramGiB} GiB; OS: ${m.os} (${m.arch}); Node ${m.node} (V8 ${m.v8}).`,
    `- 1-minute load average: ${m.loadAverage.start} at the start of the run, ${m.loadAverage.end} at the end ` +
      `(above ${m.logicalCores} means other processes competed for the cores and absolute figures are pessimistic).`,
    "",
    "## How to reproduce",
    "",
    "```sh",
    "pnpm install",
    "pnpm bench   # rewrites BENCHMARKS.md and benchmark/results.json",
    "```",
    "",
    "## Dataset",
    "",
    `${d.count.toLocaleString("en-US")} event documents from \`${d.generator}\` (seed ${d.seed}): ` +
      `${(d.ndjsonBytes / 1e6).toFixed(1)} MB of NDJSON, ${d.avgDocBytes.toFixed(0)} bytes per document on average. ` +
      "Sessions of a user on a device in a place; Zipf-distributed enums (event type, country, OS, plan), " +
      "log-normal durations and prices, ISO-string and epoch-millisecond timestamps, UUID event ids and " +
      "32-hex trace ids (high cardinality), nested objects (user, device.screen, geo, page), arrays of strings " +
      "(tags) and of objects (items), nulls, fields missing from some documents, and a `value` field whose type " +
      "varies (number, numeric string, boolean, null). Timings measure from in-memory data (no disk or network I/O).",
    "",
  ];
  return [...head, renderWhereWeStand(run), ...run.sections.map(renderSection)].join("\n");
}
