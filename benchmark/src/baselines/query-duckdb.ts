/**
 * DuckDB as the SQL baseline of the query section: one thread, the rows loaded into a native
 * in-memory table from the very Parquet file hyparquet reads, so both baselines hold the same rows.
 * The Parquet file itself comes from {@link DuckDBParquetBaseline} (NDJSON -> DuckDB types ->
 * event_id and ts kept as the JSON's strings -> Parquet-zstd).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { DuckDBSession, openDuckDB } from "./duckdb-session";
import { DuckDBParquetBaseline } from "./parquet";

/** A single-threaded DuckDB session holding tables loaded from Parquet bytes. */
export class DuckDBQueryBaseline extends DuckDBSession {
  /** Opens DuckDB in memory with `threads = 1` (checked), in a private temporary directory. */
  static async open(): Promise<DuckDBQueryBaseline> {
    return new DuckDBQueryBaseline(await openDuckDB("evodb-bench-query-"));
  }

  /** Creates table `name` from Parquet bytes (DuckDB's own reader, types as stored). */
  async loadParquet(name: string, parquet: Uint8Array): Promise<void> {
    const file = path.join(this.dir, `${name}.parquet`);
    writeFileSync(file, parquet);
    await this.connection.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`);
  }
}

/**
 * NDJSON to Parquet-zstd through {@link DuckDBParquetBaseline}: DuckDB infers the types over every
 * row; `event_id` and `ts`, which it would store as UUID and TIMESTAMP, are kept as the JSON's
 * strings when `keepStrings` is set (EvoDB never casts strings), so every engine compares the same
 * values.
 */
export async function ndjsonToParquetBytes(ndjsonBytes: Uint8Array, keepStrings: boolean): Promise<Uint8Array> {
  const duck = await DuckDBParquetBaseline.open(ndjsonBytes);
  try {
    await duck.load();
    if (keepStrings) await duck.createTextTable();
    return duck.readFile(await duck.copyToParquet(keepStrings ? "events_text" : "events", "query.parquet"));
  } finally {
    duck.close();
  }
}
