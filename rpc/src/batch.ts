import { EvoDBError, decodeWalBatch, encodeWalBatch, isEvoDBError, parseJson, stringifyJson, type JsonValue, type WalEntry } from "@evodb/core";
import { corruptFrame } from "./bytes";
import { encodeFrame, type BatchFrame } from "./frame";
import { MAX_BATCH_ENTRIES } from "./protocol";

/**
 * One change of the edge object's WAL as it travels in a BATCH frame (DESIGN.md, "CDC"): table,
 * primary key, LSN, operation, document, time.
 */
export interface CdcEntry {
  /** Position in the source's log; consecutive integers per source (1, 2, 3, ...). */
  lsn: number;
  /** Plain table name of the tenant ({@link validateTableName}). */
  table: string;
  /** Primary key of the document. */
  key: string;
  op: "insert" | "update" | "delete";
  /** The document as JSON text (lossless, core's `stringifyJson`); `null` for deletes. */
  doc: string | null;
  /** Milliseconds since the epoch when the edge object applied the change. */
  time: number;
}

/** Largest primary key, in bytes of its JSON text (core's WAL limit). */
export const MAX_KEY_BYTES = 1024;
/** Largest document, in UTF-8 bytes: SQLite in Durable Objects caps a value at 2 MB. */
export const MAX_DOC_BYTES = 2_000_000;

const TABLE_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * True for a plain table name: 1-64 characters of `[A-Za-z0-9_.-]`, not starting with `.` or `-`,
 * without `..` — the same rule as lakehouse table names, so `<tenant>/<table>` can never reach
 * another tenant's prefix (spec §8).
 */
export function validateTableName(table: string): boolean {
  return TABLE_PATTERN.test(table) && !table.includes("..");
}

/**
 * True for a document the lakehouse can store: a JSON object whose top-level names do not start
 * with `_evodb_` (reserved for the row key and LSN). Checked on both ends, so one bad document can
 * never block the writer's flush for every tenant.
 */
export function isStorableDocument(doc: JsonValue): boolean {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return false;
  for (const name of Object.keys(doc)) if (name.startsWith("_evodb_")) return false;
  return true;
}

/** Maps an edge WAL entry to core's WAL entry (the document travels as a JSON value). */
function toWalEntry(entry: CdcEntry): WalEntry {
  if (!validateTableName(entry.table)) throw new EvoDBError("INVALID_NAME", `table "${entry.table}" is not a plain table name ([A-Za-z0-9_.-], 1-64 characters)`);
  if ((entry.doc === null) !== (entry.op === "delete")) throw new EvoDBError("INVALID_ARGUMENT", "deletes carry no document; inserts and updates carry one");
  if (entry.key.length === 0) throw new EvoDBError("INVALID_ARGUMENT", `primary keys are 1..${MAX_KEY_BYTES} bytes of JSON text`);
  const walEntry: WalEntry = { table: entry.table, primaryKey: entry.key, lsn: entry.lsn, op: entry.op, time: entry.time };
  if (entry.doc !== null) walEntry.document = parseJson(entry.doc);
  return walEntry;
}

/**
 * Encodes entries (consecutive LSNs) as one BATCH frame whose payload is one core WAL batch
 * (docs/wal.md), spec §3.3.1.
 */
export function encodeBatchFrame(entries: readonly CdcEntry[]): Uint8Array {
  if (entries.length === 0 || entries.length > MAX_BATCH_ENTRIES) {
    throw new EvoDBError("INVALID_ARGUMENT", `a batch holds 1..${MAX_BATCH_ENTRIES} entries, got ${entries.length}`);
  }
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.lsn !== entries[i - 1]!.lsn + 1) throw new EvoDBError("INVALID_ARGUMENT", "batch LSNs must be consecutive");
  }
  const walBatch = encodeWalBatch(entries.map(toWalEntry));
  return encodeFrame({ type: "batch", firstLsn: entries[0]!.lsn, lastLsn: entries[entries.length - 1]!.lsn, entryCount: entries.length, walBatch });
}

/** Upper bound of an entry's encoded size, for cutting batches below the frame limit. */
export function estimateEntryBytes(entry: CdcEntry): number {
  return 32 + 3 * (entry.table.length + entry.key.length + (entry.doc?.length ?? 0));
}

/**
 * Decodes the entries of a BATCH frame with core's WAL codec and checks them against the frame
 * header: count, first and last LSN, consecutive LSNs, string primary keys. Any mismatch or
 * corrupt WAL batch is CORRUPT_FRAME; a WAL format version this build does not know stays
 * UNSUPPORTED_VERSION.
 */
export function decodeBatchEntries(batch: BatchFrame): CdcEntry[] {
  let walEntries: WalEntry[];
  try {
    walEntries = decodeWalBatch(batch.walBatch);
  } catch (error) {
    if (isEvoDBError(error, "CORRUPT_WAL")) corruptFrame(`the WAL batch inside is corrupt: ${error.message}`, { walDetails: error.details ?? {} });
    throw error;
  }
  if (walEntries.length !== batch.entryCount) corruptFrame(`frame says ${batch.entryCount} entries, the WAL batch holds ${walEntries.length}`);
  const entries: CdcEntry[] = new Array(walEntries.length);
  for (let i = 0; i < walEntries.length; i++) {
    const wal = walEntries[i]!;
    if (wal.lsn !== batch.firstLsn + i) corruptFrame(`entry ${i} has LSN ${wal.lsn}; the frame says LSNs ${batch.firstLsn}..${batch.lastLsn}, consecutive`);
    if (typeof wal.primaryKey !== "string") corruptFrame(`entry ${i} has a non-string primary key; protocol version 1 carries string keys`);
    if (wal.document !== undefined && !isStorableDocument(wal.document)) {
      corruptFrame(`entry ${i} carries a document that is not a JSON object, or has a top-level member starting with "_evodb_"`);
    }
    entries[i] = { lsn: wal.lsn, table: wal.table, key: wal.primaryKey, op: wal.op, doc: wal.document === undefined ? null : stringifyJson(wal.document), time: wal.time };
  }
  return entries;
}
