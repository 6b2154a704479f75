/**
 * Scan queries of the query section: each runs on EvoDB (@evodb/query QueryEngine, SQL, no cache),
 * on DuckDB (one thread, native in-memory table) and on hyparquet (column reads + a JS loop over the
 * same rows in Parquet-zstd), timed side by side after a check that all three answers agree.
 */
import type { QueryEngine, QueryStats } from "@evodb/query";
import type { InMemoryParquet } from "../baselines/parquet";
import type { DuckDBQueryBaseline } from "../baselines/query-duckdb";
import { filterAggregate, groupByType, pointLookup, selectiveFilter, timeRange } from "../baselines/query-hyparquet";
import type { Figure, SuiteContext } from "../harness/registry";
import type { MeasureOptions, Timing } from "../harness/timing";
import { checkSameRows, rowsAsArrays } from "./query-check";

/** One query in its three forms. */
export interface ScanQuery {
  /** Short name for figure names. */
  readonly label: string;
  /** What it exercises, for the figure note. */
  readonly about: string;
  /** The SQL EvoDB and DuckDB both run. */
  readonly sql: string;
  /** The same query over the Parquet file with hyparquet. */
  readonly hyparquet: (file: InMemoryParquet) => Promise<unknown[][]>;
  /** True when the SQL fixes the row order (ORDER BY or a single row). */
  readonly ordered: boolean;
  /** Counts as a scan for the "within 5x of DuckDB" target (a point lookup does not). */
  readonly scan: boolean;
}

/** Where a query runs. */
export interface QueryTargets {
  readonly evodb: QueryEngine;
  readonly duck: DuckDBQueryBaseline;
  readonly parquet: InMemoryParquet;
}

/**
 * Side-by-side runs: a round of the three engines takes 20 ms to 3 s (hyparquet assembling a whole
 * struct column for one nested path is the slowest), so at least 3 rounds within a short budget
 * keep the section under its time limit. No warm-up: the answer check has just run every engine once.
 */
export const QUERY_TIMING: MeasureOptions = { warmupRuns: 0, minRuns: 3, minTimeMs: 1000, maxRuns: 100 };

/** Median/p99 description of a timing, for notes. */
function ms(timing: Timing): string {
  return `${timing.medianMs.toFixed(timing.medianMs < 10 ? 2 : 0)} ms`;
}

/** Where the scan pruned and what it read, from the stats every EvoDB result carries. */
export function describeStats(stats: QueryStats): string {
  const pruned = stats.blocksPrunedByPartition + stats.blocksPrunedByZoneMap + stats.blocksPrunedByBloom;
  return `EvoDB read ${stats.blocksRead} of ${stats.blocksTotal} blocks (${pruned} pruned: ${stats.blocksPrunedByZoneMap} by zone map, ` +
    `${stats.blocksPrunedByBloom} by bloom filter; ${stats.blocksWithoutMatch} read without a match), ` +
    `${stats.bytesRead.toLocaleString("en-US")} of ${stats.tableBytes.toLocaleString("en-US")} table bytes in ${stats.requests} store requests`;
}

/**
 * Checks the three answers, times the three engines alternately and records two figures: EvoDB
 * against DuckDB (target within 5x for scans) and EvoDB against hyparquet (target faster).
 */
export async function compareQuery(ctx: SuiteContext, group: string, targets: QueryTargets, query: ScanQuery): Promise<Figure[]> {
  ctx.log(query.label);
  const expected = await targets.duck.rows(query.sql);
  const output = await targets.evodb.query(query.sql);
  checkSameRows(query.sql, "EvoDB", rowsAsArrays(output.columns, output.rows), expected, query.ordered);
  checkSameRows(query.sql, "the hyparquet baseline", await query.hyparquet(targets.parquet), expected, query.ordered);
  // The stage breakdown in `why` comes from the last timed run, not from the (colder) checked run.
  let timedStats = output.stats;
  const runEvoDB = async () => {
    const timed = await targets.evodb.query(query.sql);
    timedStats = timed.stats;
    return timed;
  };
  const [evodb, duck, hyparquet] = await ctx.measureSideBySide(
    [runEvoDB, () => targets.duck.rows(query.sql), () => query.hyparquet(targets.parquet)],
    QUERY_TIMING,
  );
  const rows = `${expected.length.toLocaleString("en-US")} result row${expected.length === 1 ? "" : "s"}`;
  const note = `\`${query.sql}\` (${rows}). ${query.about} ${describeStats(output.stats)}.`;
  const vsDuck = ctx.record({
    group, name: `${query.label}: EvoDB vs DuckDB`, value: evodb!.medianMs, unit: "ms", better: "lower", timing: evodb!,
    baseline: { name: "DuckDB, 1 thread, native table", value: duck!.medianMs },
    ...(query.scan ? { targets: [{ of: "ratio" as const, op: "<=" as const, threshold: 5, label: "<= 5x DuckDB (1 thread)" }] } : {}),
    note,
    ...(query.scan && evodb!.medianMs > 5 * duck!.medianMs ? { why: whyStages(timedStats, evodb!) } : {}),
  });
  const vsHyparquet = ctx.record({
    group, name: `${query.label}: EvoDB vs hyparquet`, value: evodb!.medianMs, unit: "ms", better: "lower", timing: evodb!,
    baseline: { name: "hyparquet (needed columns + JS loop)", value: hyparquet!.medianMs },
    targets: [{ of: "ratio", op: "<=", threshold: 1, label: "faster than hyparquet" }],
    note: `same query; hyparquet ${ms(hyparquet!)}, DuckDB ${ms(duck!)}.`,
    ...(evodb!.medianMs > hyparquet!.medianMs ? { why: whyStages(timedStats, evodb!) } : {}),
  });
  return [vsDuck, vsHyparquet];
}

/** Measured breakdown of an EvoDB query's time by scan stage (from the stats of the checked run). */
function whyStages(stats: QueryStats, timing: Timing): string {
  const t = stats.timeMs;
  const total = stats.elapsedMs.total;
  const pct = (part: number) => `${((100 * part) / total).toFixed(0)}%`;
  return `Median ${ms(timing)}. In the last timed run (${total.toFixed(0)} ms): snapshot ${pct(t.snapshot)}, footers ${pct(t.footers)}, ` +
    `range reads + decode ${pct(t.read)}, filter ${pct(t.filter)}, the rest (projection, aggregation, rows) ${pct(total - t.snapshot - t.footers - t.read - t.filter)}; ` +
    `${stats.rowsScanned.toLocaleString("en-US")} rows scanned; ${stats.blocksRead} of ${stats.blocksTotal} blocks had a matching row, ` +
    `and each of those had its projected columns read and decoded whole (late materialisation is per block).`;
}

/** Parameters of the scan queries taken from the data, so their selectivity is known. */
export interface ScanParams {
  /** `received_at` bounds covering about 1% of the rows, in the middle of the stream. */
  readonly fromMs: number;
  readonly toMs: number;
}

/** Picks the time-range bounds from the documents (received_at grows with position). */
export function scanParams(docs: readonly unknown[]): ScanParams {
  const at = (fraction: number) => (docs[Math.floor(fraction * (docs.length - 1))] as { received_at: number }).received_at;
  return { fromMs: at(0.5), toMs: at(0.51) };
}

/** The scan queries over table `events`. */
export function scanQueries(params: ScanParams): ScanQuery[] {
  return [
    {
      label: "Filter + aggregate on a nested path",
      about: "Equality on a nested string (device.os, 6 distinct values), SUM of an int that is absent from ~4% of rows, AVG of a float.",
      sql: "SELECT COUNT(*) AS n, SUM(duration_ms) AS total_duration, AVG(latency_ms) AS avg_latency FROM events WHERE device.os = 'iOS'",
      hyparquet: (file) => filterAggregate(file, "iOS"),
      ordered: true,
      scan: true,
    },
    {
      label: "GROUP BY type",
      about: "Hash aggregation over every row: 14 groups, COUNT, SUM of a mostly-null float, AVG.",
      sql: "SELECT type, COUNT(*) AS n, SUM(revenue) AS revenue, AVG(latency_ms) AS avg_latency FROM events GROUP BY type ORDER BY type",
      hyparquet: groupByType,
      ordered: true,
      scan: true,
    },
    {
      label: "Selective filter returning rows",
      about: "Two predicates (a string enum and a float) matching well under 1% of rows; returns two string columns.",
      sql: "SELECT event_id, session_id, revenue FROM events WHERE type = 'purchase' AND revenue > 300",
      hyparquet: (file) => selectiveFilter(file, "purchase", 300),
      ordered: false,
      scan: true,
    },
    {
      label: "Time-range filter + aggregate (1% of rows)",
      about: "A range on the ingest timestamp: EvoDB's zone maps skip the blocks outside it; hyparquet has one row group to read whole.",
      sql: `SELECT COUNT(*) AS n, AVG(duration_ms) AS avg_duration FROM events WHERE received_at >= ${params.fromMs} AND received_at < ${params.toMs}`,
      hyparquet: (file) => timeRange(file, params.fromMs, params.toMs),
      ordered: true,
      scan: true,
    },
  ];
}

/** The point lookup by key, as a query in the three forms. */
export function lookupQuery(eventId: string): ScanQuery {
  return {
    label: "Point lookup by key (100-block table)",
    about: "Equality on the primary key, a random UUID string: zone maps cannot prune it, bloom filters must.",
    sql: `SELECT event_id, type, ts, revenue FROM events WHERE event_id = '${eventId}'`,
    hyparquet: (file) => pointLookup(file, eventId),
    ordered: true,
    scan: false,
  };
}
