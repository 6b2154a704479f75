/**
 * What every DuckDB baseline of the benchmark shares: an in-memory DuckDB with one thread (checked,
 * so its timings compare with single-threaded JS) and a private temporary directory for the files
 * it reads and writes, both released by {@link DuckDBSession.close}.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { EvoDBError } from "@evodb/core";

/** The parts of an opened session, passed to a baseline's constructor. */
export interface DuckDBParts {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  readonly dir: string;
}

/** Opens DuckDB in memory with `threads = 1` (checked) and a fresh temporary directory named `prefix...`. */
export async function openDuckDB(prefix: string): Promise<DuckDBParts> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const threads = (await connection.runAndReadAll("SELECT current_setting('threads')")).getRowsJS()[0]?.[0];
  if (Number(threads) !== 1) {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
    throw new EvoDBError("INTERNAL", `DuckDB runs ${String(threads)} threads; a benchmark baseline must be single-threaded (DuckDBInstance option threads = "1").`);
  }
  return { instance, connection, dir };
}

/** A single-threaded DuckDB session with its temporary directory. */
export class DuckDBSession {
  protected readonly connection: DuckDBConnection;
  protected readonly dir: string;
  private readonly instance: DuckDBInstance;

  protected constructor(parts: DuckDBParts) {
    this.instance = parts.instance;
    this.connection = parts.connection;
    this.dir = parts.dir;
  }

  /** Runs a statement and returns its rows as plain JS values. */
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
