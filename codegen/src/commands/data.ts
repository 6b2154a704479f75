import { EvoDBError, isEvoDBError, nameToPath, parseJson, parseNdjson, type JsonValue, type ObjectStore, type WalEntry, type WalPrimaryKey } from "@evodb/core";
import { createTable, expireSnapshots, removeOrphanFiles, type Table } from "@evodb/lakehouse";
import { QueryEngine } from "@evodb/query";
import { MemoryByteCache } from "@evodb/reader";
import { TableWriter } from "@evodb/writer";
import { formatRows, type RowFormat } from "../format";
import { readInput, type CliIO } from "../io";
import { listTables, openLocalTable } from "../local-store";

/** Documents per `TableWriter.add` call: bounds memory between flushes on large files. */
const INGEST_CHUNK = 10_000;

/** NDJSON, or one JSON array of documents. */
export function parseDocuments(text: string, source: string): JsonValue[] {
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith("[")) {
      const value = parseJson(trimmed);
      if (!Array.isArray(value)) throw new EvoDBError("INVALID_ARGUMENT", "expected a JSON array");
      return value;
    }
    return parseNdjson(text);
  } catch (error) {
    if (!isEvoDBError(error)) throw error;
    throw new EvoDBError("INVALID_ARGUMENT", `${source}: ${error.message} (expected NDJSON or one JSON array of objects)`, { cause: error });
  }
}

function keyAt(document: JsonValue, keyPath: readonly string[], line: number): WalPrimaryKey {
  let value: JsonValue | undefined = document;
  for (const key of keyPath) {
    value = value !== null && typeof value === "object" && !Array.isArray(value) ? value[key] : undefined;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return value;
  throw new EvoDBError("INVALID_ARGUMENT", `document ${line} has no string or integer key at ${keyPath.join(".")}; fix the document or choose another --key`);
}

async function openOrCreate(store: ObjectStore, name: string, keyPath: string[] | null): Promise<Table> {
  try {
    return await openLocalTable(store, name);
  } catch (error) {
    if (!isEvoDBError(error, "NOT_FOUND")) throw error;
    return createTable(store, { name, keyPath });
  }
}

export interface IngestOptions {
  table: string;
  key?: string;
  files: string[];
}

/** `evodb ingest`: runs the real writer path (TableWriter: shred, encode, commit a snapshot per flush). */
export async function ingest(io: CliIO, store: ObjectStore, options: IngestOptions): Promise<void> {
  const keyPath = options.key === undefined ? null : nameToPath(options.key);
  const table = await openOrCreate(store, options.table, keyPath);
  const meta = await table.metadata();
  const tableKey = meta.keyPath;
  const writer = new TableWriter(table, { maxEntries: Number.MAX_SAFE_INTEGER, maxBytes: 64 * 1024 * 1024, maxAgeMs: Number.MAX_SAFE_INTEGER });
  let lsn = (await table.snapshot())?.lastLsn ?? 0;
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  let rejected = 0;
  let lastSnapshot: number | null = null;
  const report = (final: boolean): void => {
    if (!io.progress && !final) return;
    const seconds = (performance.now() - started) / 1000;
    const line = `${rows.toLocaleString("en-US")} rows, ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / 1e6 / Math.max(seconds, 1e-3)).toFixed(1)} MB/s`;
    if (io.progress) io.stderr(`\r${line}${final ? "\n" : ""}`);
  };
  const flush = async (): Promise<void> => {
    const result = await writer.flush();
    if (result) lastSnapshot = result.snapshot.snapshotId;
  };
  for (const file of options.files) {
    const text = await readInput(io, file);
    bytes += Buffer.byteLength(text);
    const docs = parseDocuments(text, file === "-" ? "stdin" : file);
    for (let start = 0; start < docs.length; start += INGEST_CHUNK) {
      const time = Date.now();
      const entries: WalEntry[] = docs.slice(start, start + INGEST_CHUNK).map((document, i) => {
        lsn += 1;
        const primaryKey = tableKey === null ? lsn : keyAt(document, tableKey, start + i + 1);
        return { table: options.table, primaryKey, lsn, op: tableKey === null ? "insert" : "update", document, time };
      });
      const added = await writer.add(entries);
      for (const { entry, error } of added.rejected) io.stderr(`refused LSN ${entry.lsn}: ${error.code}: ${error.message}\n`);
      rejected += added.rejected.length;
      rows += added.accepted;
      if (writer.flushDue()) await flush();
      report(false);
    }
  }
  await flush();
  report(true);
  const committed = lastSnapshot === null ? "nothing to commit" : `committed snapshot ${lastSnapshot}`;
  io.stdout(`${options.table}: ${rows} rows ${rejected > 0 ? `(${rejected} refused) ` : ""}${committed}\n`);
  if (rejected > 0) throw new EvoDBError("SCHEMA_MISMATCH", `${rejected} documents were refused; see the lines above`);
}

export interface QueryCommandOptions {
  format: RowFormat;
  explain?: boolean;
}

/** `evodb query`: SQL through @evodb/query against the local store. */
export async function query(io: CliIO, store: ObjectStore, sql: string, options: QueryCommandOptions): Promise<void> {
  const engine = new QueryEngine({ openTable: (name) => openLocalTable(store, name), cache: new MemoryByteCache() });
  const statement = options.explain === true && !/^\s*explain\b/i.test(sql) ? `EXPLAIN ${sql}` : sql;
  const output = await engine.execute(statement);
  if (output.kind === "explain") {
    io.stdout(options.format === "json" ? `${JSON.stringify(output)}\n` : `${output.text}\n`);
    return;
  }
  io.stdout(formatRows(output.rows, options.format, output.columns));
  if (options.format === "table") {
    const s = output.stats;
    io.stderr(`${s.blocksRead}/${s.blocksTotal} blocks read, ${s.elapsedMs.total.toFixed(1)} ms\n`);
  }
}

/** `evodb tables`. */
export async function tables(io: CliIO, store: ObjectStore, format: RowFormat): Promise<void> {
  const rows = [];
  for (const name of await listTables(store)) {
    const table = await openLocalTable(store, name);
    const snapshot = await table.snapshot();
    rows.push({ table: name, snapshot: snapshot?.snapshotId ?? null, rows: snapshot?.dataFiles.reduce((n, f) => n + f.rowCount, 0) ?? 0, files: snapshot?.dataFiles.length ?? 0 });
  }
  io.stdout(formatRows(rows, format, ["table", "snapshot", "rows", "files"]));
}

/** `evodb snapshots T`. */
export async function snapshots(io: CliIO, store: ObjectStore, name: string, format: RowFormat): Promise<void> {
  const table = await openLocalTable(store, name);
  const rows = (await table.history()).map((s) => ({
    snapshot: s.snapshotId,
    parent: s.parentId,
    time: new Date(s.timestampMs).toISOString(),
    operation: s.operation,
    schema: s.schemaId,
    ...s.summary,
  }));
  io.stdout(formatRows(rows, format));
}

/** `evodb vacuum T`: expire old snapshots (keeping the newest `retainLast`) and delete orphaned files. */
export async function vacuum(io: CliIO, store: ObjectStore, name: string, options: { retainMs: number; retainLast: number }): Promise<void> {
  const table = await openLocalTable(store, name);
  const expired = await expireSnapshots(table, { olderThanMs: Date.now() - options.retainMs, retainLast: options.retainLast });
  const orphans = await removeOrphanFiles(table);
  io.stdout(`${name}: expired ${expired.expired.length} snapshots, deleted ${expired.deletedKeys.length + orphans.length} files\n`);
}
