/**
 * Baselines of the core section, measured in the same run as the EvoDB figures: JSON.parse and
 * JSON.stringify, gzip-6 NDJSON (fflate and node:zlib) for time and size, DuckDB's Parquet-zstd of
 * the same rows for size (and its write speed, one thread), and hyparquet decoding single columns of
 * that Parquet file.
 */
import { gunzipAndParse, GZIPS, stringifyAndGzip, stringifyNdjson } from "../baselines/json";
import { describeParquetColumn, DuckDBParquetBaseline, hyparquetDecodeColumn, openParquet, type InMemoryParquet } from "../baselines/parquet";
import { parseNdjson } from "../dataset";
import { perSecond, type Figure, type SuiteContext } from "../harness/registry";

/** Columns decoded one at a time by hyparquet and by EvoDB (top-level, so Parquet needs no nesting levels). */
export const DECODE_COLUMNS = [
  { path: ["received_at"], kind: "int", about: "epoch-ms int, every row" },
  { path: ["duration_ms"], kind: "int", about: "log-normal int, absent from ~4% of rows" },
  { path: ["type"], kind: "string", about: "14-value Zipf enum" },
  { path: ["session_id"], kind: "string", about: "22-char session ids" },
] as const;

/** Measured long operations (whole-dataset passes of 0.1-2 s): fewer runs keep `pnpm bench` short. */
export const HEAVY = { warmupRuns: 1, minRuns: 3, minTimeMs: 1000, maxRuns: 20 } as const;

/** The baseline figures the EvoDB figures compare with. */
export interface CoreBaselines {
  jsonParse: Figure;
  jsonStringify: Figure;
  gzipWrite: Map<string, Figure>;
  gunzipRead: Map<string, Figure>;
  rawBytes: Figure;
  gzipBytes: Map<string, Figure>;
  parquetBytes: Figure;
  parquetTextBytes: Figure;
  duckdbCopy: Figure;
  duckdbIngest: Figure;
  /** DuckDB's Parquet-zstd file (its inferred types), in memory. */
  parquet: InMemoryParquet;
  /** DuckDB column types of table `events`. */
  parquetTypes: Map<string, string>;
  /** Still open, for side-by-side comparisons; the suite closes it. */
  duck: DuckDBParquetBaseline;
}

/** Runs and records every baseline; the caller must `duck.close()` the result. */
export async function measureCoreBaselines(ctx: SuiteContext): Promise<CoreBaselines> {
  const { dataset } = ctx;
  const n = dataset.count;
  const mb = dataset.ndjsonBytes.length / 1e6;

  ctx.log("JSON.parse / JSON.stringify");
  const parseTiming = await ctx.measure(() => parseNdjson(dataset.ndjson), HEAVY);
  const jsonParse = ctx.record({
    group: "Write and read paths", name: "JSON.parse of the NDJSON", value: perSecond(n, parseTiming), unit: "docs/s",
    better: "higher", timing: parseTiming,
    note: `${(mb / (parseTiming.medianMs / 1000)).toFixed(0)} MB/s of text; split on newlines, one JSON.parse per line.`,
  });
  const stringifyTiming = await ctx.measure(() => stringifyNdjson(dataset.docs), HEAVY);
  const jsonStringify = ctx.record({
    group: "Write and read paths", name: "JSON.stringify to NDJSON", value: perSecond(n, stringifyTiming), unit: "docs/s",
    better: "higher", timing: stringifyTiming,
  });

  const rawBytes = ctx.record({ group: "Size", name: "raw NDJSON", value: dataset.ndjsonBytes.length, unit: "bytes", better: "lower" });
  const gzipWrite = new Map<string, Figure>();
  const gunzipRead = new Map<string, Figure>();
  const gzipBytes = new Map<string, Figure>();
  for (const gz of GZIPS) {
    ctx.log(`JSON.stringify + gzip-6 (${gz.name})`);
    const compressed = stringifyAndGzip(dataset.docs, gz);
    gzipBytes.set(gz.name, ctx.record({
      group: "Size", name: `gzip-6 NDJSON (${gz.name})`, value: compressed.length, unit: "bytes", better: "lower",
      baseline: { name: "raw NDJSON", value: rawBytes.value },
    }));
    const writeTiming = await ctx.measure(() => stringifyAndGzip(dataset.docs, gz), HEAVY);
    gzipWrite.set(gz.name, ctx.record({
      group: "Write and read paths", name: `JSON.stringify + gzip-6 (${gz.name})`, value: perSecond(n, writeTiming),
      unit: "docs/s", better: "higher", timing: writeTiming,
    }));
    const readTiming = await ctx.measure(() => gunzipAndParse(compressed, gz), HEAVY);
    gunzipRead.set(gz.name, ctx.record({
      group: "Write and read paths", name: `gunzip + JSON.parse (${gz.name})`, value: perSecond(n, readTiming),
      unit: "docs/s", better: "higher", timing: readTiming,
    }));
  }

  ctx.log("DuckDB: NDJSON -> Parquet-zstd");
  const duck = await DuckDBParquetBaseline.open(dataset.ndjsonBytes);
  try {
    await duck.load();
    await duck.createTextTable();
    const types = new Map(await duck.describe("events"));
    const parquetFile = await duck.copyToParquet("events", "events.parquet");
    const parquetTextFile = await duck.copyToParquet("events_text", "events-text.parquet");
    const parquetBytesRaw = duck.readFile(parquetFile);
    const parquetBytes = ctx.record({
      group: "Size", name: "Parquet-zstd by DuckDB (its inferred types)", value: parquetBytesRaw.length, unit: "bytes",
      better: "lower", baseline: { name: "raw NDJSON", value: rawBytes.value },
      note: `DuckDB read_json_auto over all rows, then COPY ... (FORMAT parquet, COMPRESSION zstd), one row group of up to 122,880 rows. ` +
        `Its inference stores event_id as ${types.get("event_id")} (16 bytes) and ts as ${types.get("ts")} (8 bytes) instead of the 36- and 24-char strings in the JSON.`,
    });
    const parquetTextBytes = ctx.record({
      group: "Size", name: "Parquet-zstd by DuckDB (event_id, ts kept as strings)", value: duck.readFile(parquetTextFile).length,
      unit: "bytes", better: "lower", baseline: { name: "raw NDJSON", value: rawBytes.value },
      note: "Same table with event_id and ts cast back to the exact strings of the JSON: the same values EvoDB stores, since EvoDB never casts strings.",
    });
    const copyTiming = await ctx.measure(() => duck.copyToParquet("events", "events-timed.parquet"), HEAVY);
    const duckdbCopy = ctx.record({
      group: "Write and read paths", name: "DuckDB table -> Parquet-zstd (1 thread, native)", value: perSecond(n, copyTiming),
      unit: "docs/s", better: "higher", timing: copyTiming, note: "Columnar encode + zstd + file write from DuckDB's in-memory table; native code, threads = 1.",
    });
    const ingestTiming = await ctx.measure(() => duck.ndjsonToParquet("events-ingest.parquet"), { ...HEAVY, warmupRuns: 0, minRuns: 2 });
    const duckdbIngest = ctx.record({
      group: "Write and read paths", name: "DuckDB NDJSON file -> Parquet-zstd (1 thread, native)", value: perSecond(n, ingestTiming),
      unit: "docs/s", better: "higher", timing: ingestTiming, note: "read_json_auto with type inference over every row, then COPY; includes reading the file (page-cached).",
    });

    return {
      jsonParse, jsonStringify, gzipWrite, gunzipRead, rawBytes, gzipBytes, parquetBytes, parquetTextBytes, duckdbCopy, duckdbIngest,
      parquet: openParquet(parquetBytesRaw), parquetTypes: types, duck,
    };
  } catch (error) {
    duck.close();
    throw error;
  }
}

/** Describes a decode column and its Parquet encoding, for figure notes. */
export async function parquetColumnNote(baselines: CoreBaselines, column: (typeof DECODE_COLUMNS)[number]): Promise<string> {
  const name = column.path.join(".");
  const values = await hyparquetDecodeColumn(baselines.parquet, name);
  const distinct = new Set(Array.from(values)).size;
  const type = baselines.parquetTypes.get(name);
  return `${column.about}, ${distinct.toLocaleString("en-US")} distinct. Parquet column ${type}: ${describeParquetColumn(baselines.parquet, name)}; ` +
    `hyparquet decodes it from memory with the footer parsed once, output as it returns it${type === "BIGINT" ? " (a bigint per INT64 value)" : ""}.`;
}
