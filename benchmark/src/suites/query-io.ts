/**
 * What the query section measures besides time (the point lookup's store reads are in
 * query-lookup.ts): bytes read by a 2-of-50-columns query against the table's bytes (with Parquet's
 * share for the same two columns as baseline), and a repeated query served by the reader's byte cache.
 */
import { QueryEngine } from "@evodb/query";
import { MemoryByteCache } from "@evodb/reader";
import type { InMemoryParquet } from "../baselines/parquet";
import type { DuckDBQueryBaseline } from "../baselines/query-duckdb";
import type { SuiteContext } from "../harness/registry";
import { checkSameRows, rowsAsArrays } from "./query-check";
import { QUERY_TIMING } from "./query-scans";
import type { BenchTable } from "./query-tables";

/** An engine whose every FROM opens `table` (the section runs one table per engine). */
export function engineFor(table: BenchTable, cache?: MemoryByteCache): QueryEngine {
  return new QueryEngine({ openTable: async () => table.table, ...(cache ? { cache } : {}) });
}

/** The same query twice through one MemoryByteCache: cold (empty cache) against warm latency and store reads. */
export async function measureWarmCache(ctx: SuiteContext, table: BenchTable, sql: string): Promise<void> {
  ctx.log("repeated query, warm cache");
  const warmCache = new MemoryByteCache();
  const warm = engineFor(table, warmCache);
  table.counter.reset();
  const reference = await engineFor(table).query(sql);
  const coldBlockReads = table.counter.dataGets;
  const first = await warm.query(sql);
  checkSameRows(sql, "EvoDB with a cache", rowsAsArrays(first.columns, first.rows), rowsAsArrays(reference.columns, reference.rows), true);
  const [coldTiming, warmTiming] = await ctx.measureSideBySide(
    [() => engineFor(table, new MemoryByteCache()).query(sql), () => warm.query(sql)],
    QUERY_TIMING,
  );
  table.counter.reset();
  const again = await warm.query(sql);
  const s = again.stats;
  ctx.record({
    group: "Repeated query, warm cache", name: "Repeated filter + aggregate, warm byte cache", value: warmTiming!.medianMs, unit: "ms", better: "lower",
    timing: warmTiming!, baseline: { name: "same query, cold (empty) cache", value: coldTiming!.medianMs },
    note: `\`${sql}\`; MemoryByteCache (@evodb/reader, 32 MiB LRU) holds ${warmCache.size.toLocaleString("en-US")} bytes of footers and column chunks after the first run. ` +
      `Cold runs use a fresh cache each time, so they include filling it. The table is in memory, so the cache saves only the store ` +
      `requests and copies here, not network round trips; decoding is the same on both runs.`,
  });
  ctx.record({
    group: "Repeated query, warm cache", name: "Block reads from the store on the warm run", value: table.counter.dataGets, unit: "requests", better: "lower",
    baseline: { name: "block reads on a cold run", value: coldBlockReads },
    targets: [{ of: "value", op: "<=", threshold: 0, label: "0 (all from cache)" }],
    note: `${s.cacheHits} cache hits, ${s.cacheMisses} misses, ${s.bytesFetched.toLocaleString("en-US")} bytes fetched. ` +
      `Metadata reads on the warm run (table pointer, metadata, snapshot): ${table.counter.gets - table.counter.dataGets}; ` +
      `the pointer is never cached because it changes with every commit.`,
  });
}

/** Bytes of a Parquet file a reader of two columns needs: footer (+8) plus the two column chunks. */
function parquetTwoColumnBytes(file: InMemoryParquet, columns: readonly string[]): number {
  const footer = Number(file.metadata.metadata_length) + 8;
  let chunks = 0;
  for (const group of file.metadata.row_groups) {
    for (const chunk of group.columns) {
      if (chunk.meta_data && columns.includes(chunk.meta_data.path_in_schema[0]!)) chunks += Number(chunk.meta_data.total_compressed_size);
    }
  }
  return footer + chunks;
}

/** A 2-of-50-columns aggregate: bytes EvoDB reads as a share of the table, against Parquet's share. */
export async function measureTwoOfFifty(ctx: SuiteContext, table: BenchTable, duck: DuckDBQueryBaseline, parquet: InMemoryParquet, columns: readonly [string, string]): Promise<void> {
  ctx.log("2 of 50 columns");
  const [a, b] = columns;
  const sql = `SELECT MAX(${a}) AS max_a, SUM(${b}) AS sum_b FROM wide`;
  const engine = engineFor(table);
  const output = await engine.query(sql);
  checkSameRows(sql, "EvoDB", rowsAsArrays(output.columns, output.rows), await duck.rows(sql), true);
  const s = output.stats;
  const plan = await engine.explain(sql);
  const share = (100 * s.bytesRead) / s.tableBytes;
  const parquetBytes = parquetTwoColumnBytes(parquet, columns);
  const parquetShare = (100 * parquetBytes) / parquet.buffer.byteLength;
  const footerShare = (100 * plan.bytes.footers) / s.tableBytes;
  const chunkShare = (100 * plan.bytes.columnChunks) / s.tableBytes;
  ctx.record({
    group: "Projection", name: "2 of 50 columns: bytes read / table bytes", value: share, unit: "%", better: "lower",
    baseline: { name: "Parquet-zstd (DuckDB): footer + the 2 column chunks / file bytes", value: parquetShare },
    targets: [{ of: "value", op: "<=", threshold: 10, label: "<= 10%" }],
    note: `\`${sql}\` on a ${s.blocksTotal}-block table of ${table.bytes.toLocaleString("en-US")} bytes (${table.rows.toLocaleString("en-US")} rows of 50 top-level fields: ints, ` +
      `40-bit ints, floats, strings, booleans; seeded). EvoDB read ${s.bytesRead.toLocaleString("en-US")} bytes in ${s.requests} requests: ` +
      `footers ${plan.bytes.footers.toLocaleString("en-US")} (${footerShare.toFixed(1)}%), column chunks ${plan.bytes.columnChunks.toLocaleString("en-US")} ` +
      `(${chunkShare.toFixed(1)}%). Parquet: ${parquetBytes.toLocaleString("en-US")} of ${parquet.buffer.byteLength.toLocaleString("en-US")} bytes.`,
    ...(share > 10
      ? { why: `Footers of the ${s.blocksTotal} blocks are ${footerShare.toFixed(1)}% of the table's bytes (they describe all 50 columns), the two columns' chunks ${chunkShare.toFixed(1)}%.` }
      : {}),
  });
}
