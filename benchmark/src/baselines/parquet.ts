/**
 * The Parquet baseline: DuckDB (`@duckdb/node-api`, the real engine, one thread) loads the NDJSON
 * and writes Parquet with zstd; hyparquet (pure JS, the fastest JS Parquet reader we know) decodes
 * single columns of that file from memory.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parquetMetadata, parquetRead, type FileMetaData } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { DuckDBSession, openDuckDB, type DuckDBParts } from "./duckdb-session";

/** A DuckDB session over the dataset, in a private temporary directory. */
export class DuckDBParquetBaseline extends DuckDBSession {
  private constructor(
    parts: DuckDBParts,
    /** Path of the NDJSON file DuckDB reads. */
    readonly ndjsonPath: string,
  ) {
    super(parts);
  }

  /**
   * Writes the NDJSON to a temporary file and opens DuckDB with one thread, so its timings are
   * comparable with single-threaded JS.
   */
  static async open(ndjsonBytes: Uint8Array): Promise<DuckDBParquetBaseline> {
    const parts = await openDuckDB("evodb-bench-");
    const ndjsonPath = path.join(parts.dir, "events.ndjson");
    writeFileSync(ndjsonPath, ndjsonBytes);
    return new DuckDBParquetBaseline(parts, ndjsonPath);
  }

  private sqlPath(name: string): string {
    return path.join(this.dir, name).replace(/'/g, "''");
  }

  /**
   * Loads the NDJSON into table `events` with DuckDB's own type inference over every row
   * (`sample_size = -1`): UUID strings become UUID, ISO timestamps TIMESTAMP, the mixed `value`
   * field JSON, objects STRUCT, arrays LIST.
   */
  async load(): Promise<void> {
    await this.connection.run("DROP TABLE IF EXISTS events");
    await this.connection.run(
      `CREATE TABLE events AS SELECT * FROM read_json_auto('${this.sqlPath("events.ndjson")}', format = 'newline_delimited', sample_size = -1)`,
    );
  }

  /**
   * Table `events_text`: `events` with `event_id` and `ts` turned back into the strings the JSON
   * holds, so Parquet stores the same values EvoDB does (EvoDB never casts strings; DESIGN.md).
   */
  async createTextTable(): Promise<void> {
    await this.connection.run("DROP TABLE IF EXISTS events_text");
    await this.connection.run(
      "CREATE TABLE events_text AS SELECT * REPLACE (CAST(event_id AS VARCHAR) AS event_id, " +
        "strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts) FROM events",
    );
  }

  /** Column names and DuckDB types of a table. */
  async describe(table: string): Promise<[string, string][]> {
    const reader = await this.connection.runAndReadAll(`DESCRIBE ${table}`);
    return reader.getRowsJS().map((row) => [String(row[0]), String(row[1])]);
  }

  /** COPY a table to Parquet with zstd; returns the file name inside the temporary directory. */
  async copyToParquet(table: string, fileName: string): Promise<string> {
    await this.connection.run(`COPY ${table} TO '${this.sqlPath(fileName)}' (FORMAT parquet, COMPRESSION zstd)`);
    return fileName;
  }

  /** NDJSON text straight to Parquet-zstd in one statement (DuckDB's whole ingest path). */
  async ndjsonToParquet(fileName: string): Promise<void> {
    await this.connection.run(
      `COPY (SELECT * FROM read_json_auto('${this.sqlPath("events.ndjson")}', format = 'newline_delimited', sample_size = -1)) ` +
        `TO '${this.sqlPath(fileName)}' (FORMAT parquet, COMPRESSION zstd)`,
    );
  }

  /** Bytes of a file written by {@link copyToParquet}. */
  readFile(fileName: string): Uint8Array {
    return readFileSync(path.join(this.dir, fileName));
  }
}

/** A Parquet file in memory with its metadata parsed once, ready for column decodes. */
export interface InMemoryParquet {
  readonly buffer: ArrayBuffer;
  readonly metadata: FileMetaData;
}

/** Parses the footer of an in-memory Parquet file. */
export function openParquet(bytes: Uint8Array): InMemoryParquet {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { buffer, metadata: parquetMetadata(buffer) };
}

/**
 * Decodes one top-level column with hyparquet from memory (metadata already parsed), the way its
 * README reads one column: `parquetRead` with `columns` and `onChunk`, zstd from
 * hyparquet-compressors. Returns hyparquet's output as is (INT64 arrive as bigint).
 */
export async function hyparquetDecodeColumn(file: InMemoryParquet, column: string): Promise<ArrayLike<unknown>> {
  const chunks: ArrayLike<unknown>[] = [];
  await parquetRead({
    file: file.buffer,
    metadata: file.metadata,
    columns: [column],
    compressors,
    onChunk: (chunk) => {
      chunks.push(chunk.columnData);
    },
  });
  if (chunks.length === 1) return chunks[0]!;
  return chunks.flatMap((chunk) => Array.from(chunk));
}

/** Parquet physical type and encodings of a top-level column in the first row group, for the report. */
export function describeParquetColumn(file: InMemoryParquet, column: string): string {
  const chunk = file.metadata.row_groups[0]?.columns.find((c) => c.meta_data?.path_in_schema.join(".") === column);
  if (!chunk?.meta_data) return "not found";
  const m = chunk.meta_data;
  return `${m.type} ${m.encodings.join("+")} ${m.codec}, ${Number(m.total_compressed_size).toLocaleString("en-US")} bytes`;
}
