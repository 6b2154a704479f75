import { EvoDBError, isEvoDBError, nameToPath, parseJson, parseNdjson, stringifyJson, type JsonValue, type ObjectStore, type WalEntry, type WalPrimaryKey } from "@evodb/core";
import { createTable, type Table } from "@evodb/lakehouse";
import { TableWriter } from "@evodb/writer";
import { readInput, type CliIO } from "../io";
import { openLocalTable } from "../local-store";
import { IngestProgress } from "../progress";
import type { RemoteClient } from "../remote/client";

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

/** Options of `evodb ingest`. */
export interface IngestOptions {
  table: string;
  key?: string;
  files: string[];
}

/** Each input file, parsed, with its size in bytes (for MB/s). */
async function* inputs(io: CliIO, files: readonly string[]): AsyncGenerator<{ docs: JsonValue[]; bytes: number }> {
  for (const file of files) {
    const text = await readInput(io, file);
    yield { docs: parseDocuments(text, file === "-" ? "stdin" : file), bytes: Buffer.byteLength(text) };
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

/** `evodb ingest` on the local store: the real writer path (TableWriter: shred, encode, commit a snapshot per flush). */
export async function ingestLocal(io: CliIO, store: ObjectStore, options: IngestOptions): Promise<void> {
  const table = await openOrCreate(store, options.table, options.key === undefined ? null : nameToPath(options.key));
  const tableKey = (await table.metadata()).keyPath;
  const writer = new TableWriter(table, { maxEntries: Number.MAX_SAFE_INTEGER, maxBytes: 64 * 1024 * 1024, maxAgeMs: Number.MAX_SAFE_INTEGER });
  let lsn = (await table.snapshot())?.lastLsn ?? 0;
  const progress = new IngestProgress(io);
  let rejected = 0;
  let lastSnapshot: number | null = null;
  const flush = async (): Promise<void> => {
    const result = await writer.flush();
    if (result) lastSnapshot = result.snapshot.snapshotId;
  };
  for await (const { docs, bytes } of inputs(io, options.files)) {
    for (let start = 0; start < docs.length; start += INGEST_CHUNK) {
      const time = Date.now();
      const chunk = docs.slice(start, start + INGEST_CHUNK);
      const entries: WalEntry[] = chunk.map((document, i) => {
        lsn += 1;
        const primaryKey = tableKey === null ? lsn : keyAt(document, tableKey, start + i + 1);
        return { table: options.table, primaryKey, lsn, op: tableKey === null ? "insert" : "update", document, time };
      });
      const added = await writer.add(entries);
      for (const { entry, error } of added.rejected) io.stderr(`refused LSN ${entry.lsn}: ${error.code}: ${error.message}\n`);
      rejected += added.rejected.length;
      if (writer.flushDue()) await flush();
      progress.advance(added.accepted, Math.round((bytes * chunk.length) / docs.length));
    }
  }
  await flush();
  progress.finish();
  const committed = lastSnapshot === null ? "nothing to commit" : `committed snapshot ${lastSnapshot}`;
  io.stdout(`${options.table}: ${progress.rowCount} rows ${rejected > 0 ? `(${rejected} refused) ` : ""}${committed}\n`);
  if (rejected > 0) throw new EvoDBError("SCHEMA_MISMATCH", `${rejected} documents were refused; see the lines above`);
}

/** Documents and bytes per POST: well under the Workers request body limit (100 MB) and the DO's 30 s. */
const REMOTE_BATCH_DOCS = 500;
const REMOTE_BATCH_BYTES = 1 << 20;
const COMMIT_POLL_MS = 200;

/**
 * `evodb ingest --url`: posts the documents to the app's document route in batches (each document
 * keyed by its `id`, as the app's document stores are), then waits until the table's committed
 * snapshot holds the last LSN written, and prints that snapshot.
 */
export async function ingestRemote(io: CliIO, client: RemoteClient, options: IngestOptions & { commitTimeoutMs: number }): Promise<void> {
  if (options.key !== undefined && options.key !== "id") {
    throw new EvoDBError("INVALID_ARGUMENT", `--key ${options.key}: the app keys documents by their "id" member; leave --key out (or pass --key id) with --url`);
  }
  const docsPath = `/tables/${encodeURIComponent(options.table)}/docs`;
  const progress = new IngestProgress(io);
  let lastLsn = 0;
  const post = async (batch: string[], bytes: number, count: number): Promise<void> => {
    let results: { lsn: number | null }[];
    try {
      results = await client.json<{ lsn: number | null }[]>({ method: "POST", path: docsPath, body: `[${batch.join(",")}]`, retry: true });
    } catch (error) {
      // Earlier batches are stored and will commit; say how far the ingest got before this one.
      if (!isEvoDBError(error) || progress.rowCount === 0) throw error;
      throw new EvoDBError(error.code, `${error.message} (the ${progress.rowCount} documents before this batch of ${count} were accepted and will commit)`, { cause: error, ...(error.details ? { details: error.details } : {}) });
    }
    for (const result of results) if (result.lsn !== null && result.lsn > lastLsn) lastLsn = result.lsn;
    progress.advance(count, bytes);
  };
  for await (const { docs, bytes } of inputs(io, options.files)) {
    let batch: string[] = [];
    let batchBytes = 0;
    let consumed = 0;
    for (const [i, doc] of docs.entries()) {
      const text = stringifyJson(doc);
      batch.push(text);
      batchBytes += text.length;
      if (batch.length === REMOTE_BATCH_DOCS || batchBytes >= REMOTE_BATCH_BYTES || i === docs.length - 1) {
        const share = Math.round((bytes * (i + 1)) / docs.length) - consumed;
        consumed += share;
        await post(batch, share, batch.length);
        batch = [];
        batchBytes = 0;
      }
    }
  }
  progress.finish();
  if (lastLsn === 0) {
    io.stdout(`${options.table}: ${progress.rowCount} rows, nothing to commit\n`);
    return;
  }
  const snapshotId = await waitCommitted(client, options.table, lastLsn, options.commitTimeoutMs);
  io.stdout(`${options.table}: ${progress.rowCount} rows committed snapshot ${snapshotId}\n`);
}

/** Polls the app's `GET /tenants/:tenant/tables/:table/snapshot` until its last LSN reaches `lsn`. */
async function waitCommitted(client: RemoteClient, table: string, lsn: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const path = `/tables/${encodeURIComponent(table)}/snapshot`;
  for (;;) {
    try {
      const snapshot = await client.json<{ snapshotId: number | null; lastLsn: number | null }>({ method: "GET", path, retry: true });
      if (snapshot.snapshotId !== null && (snapshot.lastLsn ?? 0) >= lsn) return snapshot.snapshotId;
    } catch (error) {
      // The writer creates the table on its first flush: until then the route answers 404.
      if (!isEvoDBError(error, "NOT_FOUND")) throw error;
    }
    if (Date.now() >= deadline) {
      throw new EvoDBError("TIMEOUT", `the documents were accepted (up to LSN ${lsn}) but ${table} did not commit them within ${timeoutMs / 1000} s; the writer may be behind, or a locked schema refused them (the app keeps refused documents under dead-letter/). Raise --commit-timeout to wait longer.`, {
        details: { lsn },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, COMMIT_POLL_MS));
  }
}
