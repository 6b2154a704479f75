import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

/**
 * DuckDB as the reference engine: the same documents are written as NDJSON and loaded with
 * `read_json` and an explicit column list, so a missing key and a JSON null both become SQL NULL
 * exactly as EvoDB reads them. One thread, so runs are deterministic.
 */
export class DuckDBOracle {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly directory: string,
  ) {}

  static async create(): Promise<DuckDBOracle> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const connection = await instance.connect();
    return new DuckDBOracle(instance, connection, mkdtempSync(join(tmpdir(), "evodb-duckdb-")));
  }

  /** Creates `table` from documents; `columns` maps each top-level key to a DuckDB type. */
  async load(table: string, documents: readonly unknown[], columns: Record<string, string>): Promise<void> {
    const file = join(this.directory, `${table}.ndjson`);
    writeFileSync(file, documents.map((d) => JSON.stringify(d)).join("\n"));
    const spec = Object.entries(columns)
      .map(([name, type]) => `'${name}': '${type}'`)
      .join(", ");
    await this.connection.run(`CREATE TABLE ${table} AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${spec}})`);
  }

  /** Rows of a query as arrays of plain JS values. */
  async rows(sql: string): Promise<unknown[][]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowsJS() as unknown[][];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/**
 * A value in comparable form: bigints become numbers, floats keep 10 significant digits (sums and
 * averages of floats depend on addition order), -0 is 0, and null members of objects are dropped
 * (DuckDB structs list every field, EvoDB objects only the present ones).
 */
export function normalise(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") {
    if (Number.isInteger(value)) return value === 0 ? 0 : value;
    return Number(value.toPrecision(10));
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== null && member !== undefined) out[key] = normalise(member);
    return out;
  }
  return value;
}
