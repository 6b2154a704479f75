/**
 * DuckDB as the SQL baseline of the query section: one thread, the rows loaded into a native
 * in-memory table from the very Parquet file hyparquet reads, so both baselines hold the same rows.
 * The Parquet file itself comes from {@link DuckDBParquetBaseline} (NDJSON -> DuckDB types ->
 * event_id and ts kept as the JSON's strings -> Parquet-zstd).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { EvoDBError } from "@evodb/core";
import { DuckDBParquetBaseline } from "./parquet";

/** A single-threaded DuckDB session holding tables loaded from Parquet bytes. */
export class DuckDBQueryBaseline {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly dir: string,
  ) {}

  /** Opens DuckDB in memory with `threads = 1` (checked), in a private temporary directory. */
  static async open(): Promise<DuckDBQueryBaseline> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const connection = await instance.connect();
    const baseline = new DuckDBQueryBaseline(instance, connection, mkdtempSync(path.join(os.tmpdir(), "evodb-bench-query-")));
    const threads = (await baseline.rows("SELECT current_setting('threads')"))[0]?.[0];
    if (Number(threads) !== 1) throw new EvoDBError("INTERNAL", `DuckDB runs ${String(threads)} threads; the query baseline must be single-threaded (DuckDBInstance option threads = "1").`);
    return baseline;
  }

  /** Creates table `name` from Parquet bytes (DuckDB's own reader, types as stored). */
  async loadParquet(name: string, parquet: Uint8Array): Promise<void> {
    const file = path.join(this.dir, `${name}.parquet`);
    writeFileSync(file, parquet);
    await this.connection.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`);
  }

  /** Runs a statement and returns its rows as plain JS values (the measured operation). */
  async rows(sql: string): Promise<unknown[][]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowsJS() as unknown[][];
  }

  /** Closes DuckDB and deletes the temporary directory. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.dir, { recursive: true, force: true });
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
