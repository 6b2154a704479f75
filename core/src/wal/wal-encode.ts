/**
 * Encodes WAL entries into one version-1 batch (docs/wal.md). Validates every entry against the
 * format's rules and limits first, so the decoder never meets bytes this encoder wrote and refuses.
 */
import { crc32c } from "../checksum";
import { EvoDBError } from "../errors";
import { stringifyJson } from "../json";
import {
  WAL_CRC_BYTES,
  WAL_ENTRY_FIXED_BYTES,
  WAL_FORMAT_VERSION,
  WAL_HEADER_BYTES,
  WAL_MAGIC,
  WAL_MAX_BATCH_BYTES,
  WAL_MAX_ENTRIES,
  WAL_MAX_KEY_BYTES,
  WAL_MAX_TABLE_BYTES,
  WAL_OP_CODES,
  type WalEntry,
  type WalPrimaryKey,
} from "./wal-format";

const utf8 = new TextEncoder();
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * One batch holding `entries` in order. Throws `INVALID_ARGUMENT` / `INVALID_NAME` for an entry the
 * format cannot hold (see docs/wal.md) and `LIMIT_EXCEEDED` past a limit.
 *
 * @example
 * const bytes = encodeWalBatch([{ table: "users", primaryKey: 7, lsn: 1, op: "insert", document: { name: "Ada" }, time: Date.now() }]);
 */
export function encodeWalBatch(entries: readonly WalEntry[]): Uint8Array {
  if (entries.length > WAL_MAX_ENTRIES) {
    throw new EvoDBError("LIMIT_EXCEEDED", `A WAL batch holds at most ${WAL_MAX_ENTRIES} entries, got ${entries.length}; split it.`, {
      details: { entries: entries.length, limit: WAL_MAX_ENTRIES },
    });
  }
  const tableBytesByName = new Map<string, Uint8Array>();
  const tables: Uint8Array[] = [];
  const keys: Uint8Array[] = [];
  const documents: (Uint8Array | null)[] = [];
  let total = WAL_HEADER_BYTES + WAL_CRC_BYTES;
  let previousLsn = -1;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const table = tableBytes(entry.table, tableBytesByName, i);
    requireSafeInteger(entry.lsn, "lsn", i);
    requireSafeInteger(entry.time, "time", i);
    if (entry.lsn <= previousLsn) {
      throw invalid(i, `LSN ${entry.lsn} does not increase (previous ${previousLsn}); entries of a batch must be in strictly increasing LSN order.`);
    }
    previousLsn = entry.lsn;
    if (!Object.hasOwn(WAL_OP_CODES, entry.op)) throw invalid(i, `unknown op ${JSON.stringify(entry.op)}; use insert, update or delete.`);
    const key = primaryKeyBytes(entry.primaryKey, i);
    let document: Uint8Array | null = null;
    if (entry.op === "delete") {
      if (entry.document !== undefined) throw invalid(i, "a delete carries no document; leave `document` undefined.");
    } else {
      if (entry.document === undefined) throw invalid(i, `an ${entry.op} needs a document.`);
      document = utf8.encode(stringifyJson(entry.document));
    }
    tables.push(table);
    keys.push(key);
    documents.push(document);
    total += WAL_ENTRY_FIXED_BYTES + table.length + key.length + (document?.length ?? 0);
    if (total > WAL_MAX_BATCH_BYTES) {
      throw new EvoDBError("LIMIT_EXCEEDED", `A WAL batch is at most ${WAL_MAX_BATCH_BYTES} bytes; entry ${i} takes it past that. Split the batch.`, {
        details: { entryIndex: i, limit: WAL_MAX_BATCH_BYTES },
      });
    }
  }

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(WAL_MAGIC, 0);
  view.setUint16(4, WAL_FORMAT_VERSION, true);
  view.setUint16(6, 0, true);
  view.setUint32(8, entries.length, true);
  view.setUint32(12, total - WAL_HEADER_BYTES - WAL_CRC_BYTES, true);
  if (entries.length > 0) {
    writeU64(view, 16, entries[0]!.lsn);
    writeU64(view, 24, entries[entries.length - 1]!.lsn);
  }
  let at = WAL_HEADER_BYTES;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const table = tables[i]!;
    const key = keys[i]!;
    const document = documents[i];
    view.setUint8(at, WAL_OP_CODES[entry.op]);
    view.setUint16(at + 1, table.length, true);
    view.setUint16(at + 3, key.length, true);
    view.setUint32(at + 5, document?.length ?? 0, true);
    writeU64(view, at + 9, entry.lsn);
    writeU64(view, at + 17, entry.time);
    at += WAL_ENTRY_FIXED_BYTES;
    out.set(table, at);
    at += table.length;
    out.set(key, at);
    at += key.length;
    if (document) {
      out.set(document, at);
      at += document.length;
    }
  }
  view.setUint32(at, crc32c(out, 0, at), true);
  return out;
}

function tableBytes(table: string, cache: Map<string, Uint8Array>, index: number): Uint8Array {
  const cached = cache.get(table);
  if (cached) return cached;
  if (typeof table !== "string" || table.length === 0 || LONE_SURROGATE.test(table)) {
    throw new EvoDBError("INVALID_NAME", `WAL entry ${index}: the table name must be a non-empty, well-formed string.`, { details: { entryIndex: index } });
  }
  const bytes = utf8.encode(table);
  if (bytes.length > WAL_MAX_TABLE_BYTES) {
    throw new EvoDBError("LIMIT_EXCEEDED", `WAL entry ${index}: the table name is ${bytes.length} UTF-8 bytes; the limit is ${WAL_MAX_TABLE_BYTES}.`, {
      details: { entryIndex: index, limit: WAL_MAX_TABLE_BYTES },
    });
  }
  cache.set(table, bytes);
  return bytes;
}

function primaryKeyBytes(primaryKey: WalPrimaryKey, index: number): Uint8Array {
  if (!isKeyPart(primaryKey) && !(Array.isArray(primaryKey) && primaryKey.length > 0 && primaryKey.every(isKeyPart))) {
    throw invalid(index, "the primary key must be a string, a finite number, a bigint, or a non-empty array of those.");
  }
  const bytes = utf8.encode(stringifyJson(primaryKey));
  if (bytes.length > WAL_MAX_KEY_BYTES) {
    throw new EvoDBError("LIMIT_EXCEEDED", `WAL entry ${index}: the primary key is ${bytes.length} bytes as JSON; the limit is ${WAL_MAX_KEY_BYTES}.`, {
      details: { entryIndex: index, limit: WAL_MAX_KEY_BYTES },
    });
  }
  return bytes;
}

function isKeyPart(part: unknown): boolean {
  return typeof part === "string" || typeof part === "bigint" || (typeof part === "number" && Number.isFinite(part));
}

function requireSafeInteger(value: number, field: string, index: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalid(index, `${field} must be an integer from 0 to 2^53 - 1, got ${String(value)}.`);
  }
}

function invalid(index: number, message: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", `WAL entry ${index}: ${message}`, { details: { entryIndex: index } });
}

/** Writes a safe non-negative integer as a little-endian u64. */
function writeU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value >>> 0, true);
  view.setUint32(offset + 4, Math.floor(value / 0x100000000), true);
}
