import { EvoDBError } from "@evodb/core";
import { FrameReader, FrameWriter, corruptFrame } from "./bytes";
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

/** Largest primary key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** Largest document, in UTF-8 bytes: SQLite in Durable Objects caps a value at 2 MB. */
export const MAX_DOC_BYTES = 2_000_000;
const MAX_TABLE_BYTES = 64;
const OPS = ["insert", "update", "delete"] as const;
const NO_DOC = 0xffffffff;

const TABLE_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * True for a plain table name: 1-64 characters of `[A-Za-z0-9_.-]`, not starting with `.` or `-`,
 * without `..` — the same rule as lakehouse table names, so `<tenant>/<table>` can never reach
 * another tenant's prefix (spec §8).
 */
export function validateTableName(table: string): boolean {
  return TABLE_PATTERN.test(table) && !table.includes("..");
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Entry layout inside BATCH `walBatch` (docs/cdc-protocol.md §3.3.1): per entry, lsn (u64), op
 * (u8: 0 insert, 1 update, 2 delete), time (u64 milliseconds), table (str16), key (str16), document length (u32,
 * 0xFFFFFFFF = no document) and UTF-8 JSON. The frame's CRC-32C covers it.
 */
function writeEntry(out: FrameWriter, entry: CdcEntry): void {
  if (!validateTableName(entry.table)) throw new EvoDBError("INVALID_NAME", `table "${entry.table}" is not a plain table name ([A-Za-z0-9_.-], 1-64 characters)`);
  const op = OPS.indexOf(entry.op);
  if (op < 0) throw new EvoDBError("INVALID_ARGUMENT", `unknown WAL op ${String(entry.op)}`);
  if ((entry.doc === null) !== (entry.op === "delete")) throw new EvoDBError("INVALID_ARGUMENT", "deletes carry no document; inserts and updates carry one");
  if (!Number.isSafeInteger(entry.time) || entry.time < 0) throw new EvoDBError("INVALID_ARGUMENT", `entry time must be a non-negative integer of milliseconds, got ${entry.time}`);
  out.lsn(entry.lsn);
  out.u8(op);
  out.lsn(entry.time);
  out.str16(entry.table);
  const key = encoder.encode(entry.key);
  if (key.length === 0 || key.length > MAX_KEY_BYTES) throw new EvoDBError("INVALID_ARGUMENT", `primary keys are 1..${MAX_KEY_BYTES} UTF-8 bytes`);
  out.u16(key.length);
  out.bytes(key);
  if (entry.doc === null) {
    out.u32(NO_DOC);
  } else {
    const doc = encoder.encode(entry.doc);
    if (doc.length > MAX_DOC_BYTES) throw new EvoDBError("LIMIT_EXCEEDED", `document of ${doc.length} bytes exceeds ${MAX_DOC_BYTES}`);
    out.u32(doc.length);
    out.bytes(doc);
  }
}

/** Encodes entries (consecutive LSNs) as one BATCH frame. */
export function encodeBatchFrame(entries: readonly CdcEntry[]): Uint8Array {
  if (entries.length === 0 || entries.length > MAX_BATCH_ENTRIES) {
    throw new EvoDBError("INVALID_ARGUMENT", `a batch holds 1..${MAX_BATCH_ENTRIES} entries, got ${entries.length}`);
  }
  const out = new FrameWriter();
  for (let i = 0; i < entries.length; i++) {
    if (i > 0 && entries[i]!.lsn !== entries[i - 1]!.lsn + 1) throw new EvoDBError("INVALID_ARGUMENT", "batch LSNs must be consecutive");
    writeEntry(out, entries[i]!);
  }
  return encodeFrame({ type: "batch", firstLsn: entries[0]!.lsn, lastLsn: entries[entries.length - 1]!.lsn, entryCount: entries.length, walBatch: out.finish() });
}

/** Upper bound of an entry's encoded size, for cutting batches below the frame limit. */
export function estimateEntryBytes(entry: CdcEntry): number {
  return 32 + 3 * (entry.table.length + entry.key.length + (entry.doc?.length ?? 0));
}

/**
 * Decodes the entries of a BATCH frame and checks them against its header: count, first and last
 * LSN, consecutive LSNs, valid UTF-8. Any mismatch is CORRUPT_FRAME.
 */
export function decodeBatchEntries(batch: BatchFrame): CdcEntry[] {
  const reader = new FrameReader(batch.walBatch, 0, batch.walBatch.length);
  const entries: CdcEntry[] = [];
  let previous = -1;
  for (let i = 0; i < batch.entryCount; i++) {
    const lsn = reader.lsn("entry lsn");
    if (i > 0 && lsn !== previous + 1) corruptFrame(`entry LSN ${lsn} does not follow ${previous}`);
    previous = lsn;
    const op = OPS[reader.u8("entry op")];
    if (op === undefined) corruptFrame("unknown entry op");
    const time = reader.lsn("entry time");
    const table = reader.str16("entry table", MAX_TABLE_BYTES);
    const key = reader.str16("entry key", MAX_KEY_BYTES);
    if (key.length === 0) corruptFrame("empty primary key");
    const docLength = reader.u32("document length");
    let doc: string | null = null;
    if (docLength !== NO_DOC) {
      if (docLength > MAX_DOC_BYTES) corruptFrame(`document of ${docLength} bytes exceeds ${MAX_DOC_BYTES}`);
      try {
        doc = decoder.decode(reader.take(docLength, "document"));
      } catch (error) {
        if (error instanceof EvoDBError) throw error;
        corruptFrame("document is not valid UTF-8");
      }
    }
    if ((doc === null) !== (op === "delete")) corruptFrame("deletes carry no document; inserts and updates carry one");
    entries.push({ lsn, table, key, op, doc, time });
  }
  reader.done("batch entries");
  if (entries[0]!.lsn !== batch.firstLsn || previous !== batch.lastLsn) {
    corruptFrame(`entries span [${entries[0]!.lsn}, ${previous}] but the header says [${batch.firstLsn}, ${batch.lastLsn}]`);
  }
  return entries;
}
