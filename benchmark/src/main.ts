/**
 * `pnpm bench`: generates the event dataset, runs every registered suite in this one process and
 * writes BENCHMARKS.md (repository root) and benchmark/results.json.
 *
 * Options (for development; a run with any of them prints the report instead of writing files,
 * unless --write is given):
 *   --docs N      dataset size (default 100000)
 *   --seed N      dataset seed (default 42)
 *   --only ID     run only the suite with this id
 *   --write       write the files even for a partial run
 */
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildDataset } from "./dataset";
import { describeMachine, loadAverageNow } from "./harness/machine";
import { completeFigure, registeredSuites, type SuiteContext } from "./harness/registry";
import { renderMarkdown, summarize, type RunResult, type SectionResult } from "./harness/report";
import { measure, measureSideBySide } from "./harness/timing";

/**
 * Every `suites/*.suite.ts` registers one section when imported; loading them by name pattern lets
 * each area add its suite without editing this file. Report order comes from each suite's `order`.
 */
async function loadSuites(): Promise<void> {
  const suitesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "suites");
  for (const file of readdirSync(suitesDir).filter((name) => name.endsWith(".suite.ts")).sort()) {
    await import(`./suites/${file.slice(0, -".ts".length)}`);
  }
}

const DEFAULT_DOCS = 100_000;
const DEFAULT_SEED = 42;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function log(message: string): void {
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${message}\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadAverageNow();
  const count = Number(option("docs") ?? DEFAULT_DOCS);
  const seed = Number(option("seed") ?? DEFAULT_SEED);
  const only = option("only");
  const partial = count !== DEFAULT_DOCS || seed !== DEFAULT_SEED || only !== undefined;
  const write = !partial || process.argv.includes("--write");

  await loadSuites();
  log(`generating ${count} event documents (seed ${seed})`);
  const dataset = buildDataset(count, seed);
  const sections: SectionResult[] = [];
  for (const suite of registeredSuites()) {
    if (only !== undefined && suite.id !== only) continue;
    const section: SectionResult = { id: suite.id, title: suite.title, description: suite.description, figures: [], pending: [], notes: [] };
    sections.push(section);
    const context: SuiteContext = {
      dataset,
      measure,
      measureSideBySide,
      record: (input) => {
        const figure = completeFigure(suite.id, input);
        section.figures.push(figure);
        return figure;
      },
      pending: (name, reason) => section.pending.push({ section: suite.id, name, reason }),
      note: (markdown) => section.notes.push(markdown),
      log: (message) => log(`${suite.id}: ${message}`),
    };
    log(`suite ${suite.id}`);
    try {
      await suite.run(context);
    } catch (error) {
      // One broken suite must not hide the others' figures; the report shows the failure.
      section.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      log(`suite ${suite.id} failed: ${section.error}`);
    }
  }

  const run: RunResult = {
    generatedAt: new Date().toISOString(),
    command: "pnpm bench",
    durationSeconds: (performance.now() - started) / 1000,
    machine: describeMachine(loadAtStart),
    dataset: {
      count, seed, ndjsonBytes: dataset.ndjsonBytes.length, avgDocBytes: dataset.ndjsonBytes.length / count,
      generator: "generateEvents() in test-utils/src/events.ts",
    },
    sections,
    summary: summarize(sections),
  };
  const markdown = renderMarkdown(run);
  if (write) {
    const benchmarkDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
    writeFileSync(path.join(benchmarkDir, "results.json"), `${JSON.stringify(run, null, 2)}\n`);
    writeFileSync(path.join(benchmarkDir, "..", "BENCHMARKS.md"), markdown);
    log("wrote BENCHMARKS.md and benchmark/results.json");
  } else {
    process.stdout.write(markdown);
  }
  if (sections.some((s) => s.error)) process.exitCode = 1;
}

await main();
