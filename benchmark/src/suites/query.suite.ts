/** The query section (issue 5, "Benchmark"): EvoDB's SQL engine against DuckDB and hyparquet on the same rows. */
import type { JsonValue } from "@evodb/core";
import { openParquet } from "../baselines/parquet";
import { DuckDBQueryBaseline, ndjsonToParquetBytes } from "../baselines/query-duckdb";
import { registerSuite } from "../harness/registry";
import { engineFor, measureTwoOfFifty, measureWarmCache } from "./query-io";
import { measureColdLookup, measureWarmLookup } from "./query-lookup";
import { compareQuery, lookupQuery, scanParams, scanQueries } from "./query-scans";
import { wideDocs, writeTable } from "./query-tables";

/** Documents per flush of the scan table: the writer's default `maxEntries`. */
const SCAN_FLUSH = 10_000;
/** Blocks of the point-lookup table (one flush, hence one block, per 1% of the rows). */
const LOOKUP_BLOCKS = 100;
/** Where in the dataset the looked-up key, and the key of the lookup that warms the cache, come from. */
const LOOKUP_AT = 0.7331;
const PRIME_AT = 0.2113;
/** Seed of the wide table's values. */
const WIDE_SEED = 5050;
/** The two columns the 2-of-50 query reads: a 40-bit int and a float, two of the larger kinds. */
const WIDE_PAIR = ["c01", "c02"] as const;

registerSuite({
  id: "query",
  title: "Query: SQL scans, point lookups, projection and cache against DuckDB and hyparquet",
  order: 30,
  description:
    "The event dataset written through @evodb/writer (TableWriter, primary key event_id, a flush every 10,000 documents as by default) " +
    "into a MemoryObjectStore, and queried with @evodb/query (QueryEngine, SQL) without a cache unless stated. The same rows go " +
    "through DuckDB (read_json_auto over every row; event_id and ts kept as the JSON's strings) into Parquet-zstd, which hyparquet " +
    "reads from memory (footer parsed once) and DuckDB (1 thread) loads back into a native in-memory table, so all three engines hold " +
    "the same rows in memory. hyparquet is a reader, not SQL: each query reads only the top-level columns it needs and filters and " +
    "aggregates in a JS loop. Before timing, EvoDB's and hyparquet's answers are checked equal to DuckDB's. Times are medians of runs " +
    "alternated between the engines. Targets (issue 5): within 5x of single-thread DuckDB on scans, faster than hyparquet on every " +
    "query, a point lookup fetching <= 2 of 100 blocks once footers and bloom filters are cached, a 2-of-50-columns query reading " +
    "<= 10% of the table's bytes, and a repeated query served from the cache.",
  async run(ctx) {
    const docs = ctx.dataset.docs as JsonValue[];
    ctx.log("Parquet of the events (DuckDB)");
    const parquetBytes = await ndjsonToParquetBytes(ctx.dataset.ndjsonBytes, true);
    const parquet = openParquet(parquetBytes);
    const duck = await DuckDBQueryBaseline.open();
    try {
      await duck.loadParquet("events", parquetBytes);
      ctx.log(`EvoDB table of ${docs.length} events`);
      const events = await writeTable("events", docs, "event_id", SCAN_FLUSH);
      const group = `Scans (${events.blocks} blocks of about ${Math.round(docs.length / events.blocks).toLocaleString("en-US")} rows)`;
      const targets = { evodb: engineFor(events), duck, parquet };
      const queries = scanQueries(scanParams(docs));
      for (const query of queries) await compareQuery(ctx, group, targets, query);
      await measureWarmCache(ctx, events, queries[0]!.sql);

      ctx.log(`EvoDB table in ${LOOKUP_BLOCKS} blocks`);
      const lookupTable = await writeTable("events", docs, "event_id", Math.ceil(docs.length / LOOKUP_BLOCKS));
      const keyAt = (share: number): number => Math.floor(docs.length * share);
      const eventId = (index: number): string => (docs[index] as { event_id: string }).event_id;
      const lookup = lookupQuery(eventId(keyAt(LOOKUP_AT)));
      await compareQuery(ctx, "Point lookup", { evodb: engineFor(lookupTable), duck, parquet }, lookup);
      await measureColdLookup(ctx, lookupTable, lookup.sql);
      // writeTable gives document i the LSN i + 1.
      await measureWarmLookup(ctx, lookupTable, { sql: lookup.sql, lsn: keyAt(LOOKUP_AT) + 1 }, lookupQuery(eventId(keyAt(PRIME_AT))).sql);

      ctx.log("wide table, 50 columns");
      const wide = wideDocs(docs.length, WIDE_SEED);
      const wideTable = await writeTable("wide", wide, "id", SCAN_FLUSH);
      const wideParquetBytes = await ndjsonToParquetBytes(new TextEncoder().encode(wide.map((d) => JSON.stringify(d)).join("\n")), false);
      await duck.loadParquet("wide", wideParquetBytes);
      await measureTwoOfFifty(ctx, wideTable, duck, openParquet(wideParquetBytes), WIDE_PAIR);
      ctx.note(
        `Stores: every EvoDB table is in a MemoryObjectStore behind a request-counting wrapper; \`blocks fetched\`, \`block requests\` ` +
          `and \`block reads\` count GETs of data files at that wrapper (below the reader's cache, so cache hits are not counted). The point-lookup table is the same ${docs.length.toLocaleString("en-US")} events ` +
          `written with a flush every ${Math.ceil(docs.length / LOOKUP_BLOCKS).toLocaleString("en-US")} documents, so ${lookupTable.blocks} blocks.`,
      );
    } finally {
      duck.close();
    }
  },
});
