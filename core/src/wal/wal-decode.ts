/**
 * Decodes version-1 WAL batches (docs/wal.md) from untrusted bytes. Every length is checked
 * against the buffer and the limits before it is used, the CRC before any entry is read, so
 * truncated, corrupt or hostile input gives `EvoDBError` `CORRUPT_WAL` (or `UNSUPPORTED_VERSION`),
 * never a wrong entry, another exception type or a hang. Work is bounded by the input length.
 */
import type { JsonValue } from "../column";
import { crc32c } from "../checksum";
import { EvoDBError } from "../errors";
import { MAX_JSON_DEPTH, parseJson } from "../json";
import {
  MAX_SAFE_HIGH_WORD,
  WAL_CRC_BYTES,
  WAL_ENTRY_FIXED_BYTES,
  WAL_FORMAT_VERSION,
  WAL_HEADER_BYTES,
  WAL_MAGIC,
  WAL_MAX_BATCH_BYTES,
  WAL_MAX_ENTRIES,
  WAL_MAX_KEY_BYTES,
  WAL_MAX_TABLE_BYTES,
  WAL_OPS_BY_CODE,
  type WalBatchInfo,
  type WalEntry,
  type WalPrimaryKey,
} from "./wal-format";

// `fatal` refuses malformed UTF-8; `ignoreBOM` keeps a leading U+FEFF as data, so text round-trips.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Validates the header and CRC of the batch starting at `offset` and returns what the header says,
 * without parsing entries: enough to acknowledge LSNs or to skip to the next batch.
 */
export function readWalBatchInfo(bytes: Uint8Array, offset = 0): WalBatchInfo {
  const available = bytes.length - offset;
  if (available < WAL_HEADER_BYTES + WAL_CRC_BYTES) {
    throw corrupt(`${available} bytes cannot hold a batch (at least ${WAL_HEADER_BYTES + WAL_CRC_BYTES}); the batch is truncated.`, offset);
  }
  for (let i = 0; i < WAL_MAGIC.length; i++) {
    if (bytes[offset + i] !== WAL_MAGIC[i]) throw corrupt("bad magic: these bytes are not an EvoDB WAL batch.", offset);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, available);
  const version = view.getUint16(4, true);
  if (version !== WAL_FORMAT_VERSION) {
    throw new EvoDBError("UNSUPPORTED_VERSION", `WAL batch format version ${version} is not supported (this build reads version ${WAL_FORMAT_VERSION}); upgrade @evodb/core.`, {
      details: { version, supported: WAL_FORMAT_VERSION, offset },
    });
  }
  if (view.getUint16(6, true) !== 0) throw corrupt("reserved flags are set.", offset + 6);
  const entryCount = view.getUint32(8, true);
  if (entryCount > WAL_MAX_ENTRIES) throw corrupt(`entry count ${entryCount} exceeds the limit ${WAL_MAX_ENTRIES}.`, offset + 8);
  const bodyBytes = view.getUint32(12, true);
  const byteLength = WAL_HEADER_BYTES + bodyBytes + WAL_CRC_BYTES;
  if (byteLength > WAL_MAX_BATCH_BYTES) throw corrupt(`batch length ${byteLength} exceeds the limit ${WAL_MAX_BATCH_BYTES}.`, offset + 12);
  if (byteLength > available) throw corrupt(`the batch needs ${byteLength} bytes but only ${available} remain; it is truncated.`, offset + 12);
  if (bodyBytes < entryCount * WAL_ENTRY_FIXED_BYTES) throw corrupt(`${bodyBytes} body bytes cannot hold ${entryCount} entries.`, offset + 12);
  const storedCrc = view.getUint32(WAL_HEADER_BYTES + bodyBytes, true);
  if (crc32c(bytes, offset, offset + WAL_HEADER_BYTES + bodyBytes) !== storedCrc) {
    throw corrupt("checksum mismatch: the batch was altered or torn.", offset + WAL_HEADER_BYTES + bodyBytes);
  }
  const firstLsn = readU64(view, 16, offset);
  const lastLsn = readU64(view, 24, offset);
  if (entryCount === 0 ? firstLsn !== 0 || lastLsn !== 0 : firstLsn > lastLsn) {
    throw corrupt(`header LSN range ${firstLsn}..${lastLsn} is impossible for ${entryCount} entries.`, offset + 16);
  }
  return { entryCount, firstLsn, lastLsn, byteLength };
}

/** Decodes exactly one batch; bytes after it are refused. */
export function decodeWalBatch(bytes: Uint8Array): WalEntry[] {
  const entries: WalEntry[] = [];
  const byteLength = decodeBatchAt(bytes, 0, entries, -1);
  if (byteLength !== bytes.length) throw corrupt(`${bytes.length - byteLength} unexpected bytes after the batch.`, byteLength);
  return entries;
}

/**
 * Decodes a sequence of batches laid end to end (a WAL segment). LSNs must increase across
 * batches as well as within them.
 */
export function decodeWalBatches(bytes: Uint8Array): WalEntry[] {
  const entries: WalEntry[] = [];
  let offset = 0;
  let previousLsn = -1;
  while (offset < bytes.length) {
    offset += decodeBatchAt(bytes, offset, entries, previousLsn);
    if (entries.length > 0) previousLsn = entries[entries.length - 1]!.lsn;
  }
  return entries;
}

/** Appends the entries of the batch at `offset` to `out`; returns the batch's byte length. */
function decodeBatchAt(bytes: Uint8Array, offset: number, out: WalEntry[], previousLsn: number): number {
  const info = readWalBatchInfo(bytes, offset);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const bodyEnd = offset + info.byteLength - WAL_CRC_BYTES;
  let at = offset + WAL_HEADER_BYTES;
  let lastLsn = previousLsn;
  let previousTable = "";
  let previousTableBytes = 0;
  let tableStart = -1;
  for (let i = 0; i < info.entryCount; i++) {
    const entryStart = at;
    if (bodyEnd - at < WAL_ENTRY_FIXED_BYTES) throw corrupt(`entry ${i} is cut off by the end of the body.`, at);
    const op = WAL_OPS_BY_CODE[view.getUint8(at)];
    if (op === undefined) throw corrupt(`entry ${i} has unknown op code ${view.getUint8(at)}.`, at);
    const tableBytes = view.getUint16(at + 1, true);
    const keyBytes = view.getUint16(at + 3, true);
    const documentBytes = view.getUint32(at + 5, true);
    if (tableBytes === 0 || tableBytes > WAL_MAX_TABLE_BYTES) throw corrupt(`entry ${i} has table name length ${tableBytes} (1 to ${WAL_MAX_TABLE_BYTES}).`, at + 1);
    if (keyBytes === 0 || keyBytes > WAL_MAX_KEY_BYTES) throw corrupt(`entry ${i} has primary key length ${keyBytes} (1 to ${WAL_MAX_KEY_BYTES}).`, at + 3);
    if ((op === "delete") !== (documentBytes === 0)) {
      throw corrupt(`entry ${i} is a ${op} ${documentBytes === 0 ? "without" : "with"} a document.`, at + 5);
    }
    const lsn = readU64(view, at + 9, 0);
    const time = readU64(view, at + 17, 0);
    if (lsn <= lastLsn) throw corrupt(`entry ${i} has LSN ${lsn}, not above the previous ${lastLsn}.`, at + 9);
    lastLsn = lsn;
    at += WAL_ENTRY_FIXED_BYTES;
    // Sum first, compare once: each length is already bounded, so the sum cannot overflow.
    if (tableBytes + keyBytes + documentBytes > bodyEnd - at) throw corrupt(`entry ${i} runs past the end of the body.`, entryStart);
    // Batches usually repeat one or a few tables: reuse the previous entry's string when the bytes match.
    const table = tableStart >= 0 && sameBytes(bytes, tableStart, at, tableBytes, previousTableBytes) ? previousTable : readText(bytes, at, tableBytes, i, "table name");
    previousTable = table;
    previousTableBytes = tableBytes;
    tableStart = at;
    at += tableBytes;
    const primaryKey = readPrimaryKey(bytes, at, keyBytes, i);
    at += keyBytes;
    const entry: WalEntry = { table, primaryKey, lsn, op, time };
    if (documentBytes > 0) {
      entry.document = readJson(bytes, at, documentBytes, i, "document");
      at += documentBytes;
    }
    if (i === 0 && lsn !== info.firstLsn) throw corrupt(`the header says the first LSN is ${info.firstLsn}, the entry says ${lsn}.`, offset + 16);
    out.push(entry);
  }
  if (at !== bodyEnd) throw corrupt(`${bodyEnd - at} bytes after the last entry.`, at);
  if (info.entryCount > 0 && lastLsn !== info.lastLsn) throw corrupt(`the header says the last LSN is ${info.lastLsn}, the entries end at ${lastLsn}.`, offset + 24);
  return info.byteLength;
}

function readText(bytes: Uint8Array, at: number, length: number, index: number, what: string): string {
  try {
    return strictUtf8.decode(bytes.subarray(at, at + length));
  } catch (error) {
    throw corrupt(`entry ${index}: the ${what} is not valid UTF-8.`, at, error);
  }
}

function readJson(bytes: Uint8Array, at: number, length: number, index: number, what: string): JsonValue {
  const text = readText(bytes, at, length, index, what);
  const screen = screenJsonBytes(bytes, at, at + length);
  let value: JsonValue;
  try {
    // No run of 16+ digits means no integer beyond 2^53 - 1, so the native parser is exact; this
    // is the test parseJson makes itself, done here on bytes we scan anyway (parseJson's own
    // regular-expression pre-scan cost about a third of decoding).
    value = (screen & HAS_LONG_DIGIT_RUN) === 0 ? (JSON.parse(text) as JsonValue) : parseJson(text);
  } catch (error) {
    // Any failure (syntax, nesting limit, engine stack limit) means the bytes are not what we wrote.
    throw corrupt(`entry ${index}: the ${what} is not valid JSON.`, at, error);
  }
  // stringifyJson never writes a number token that overflows to Infinity (1e400) nor nesting past
  // MAX_JSON_DEPTH, but the native parser accepts both: refuse them, so every accepted batch holds
  // values the encoder can write again. Only texts the scan flags are walked.
  if ((screen & MAY_BE_UNWRITABLE) !== 0 && !isWritableJson(value)) {
    throw corrupt(`entry ${index}: the ${what} holds a number beyond the float64 range or nests deeper than ${MAX_JSON_DEPTH}.`, at);
  }
  return value;
}

/** Flag of {@link screenJsonBytes}: a run of 16 or more digits (possibly an integer beyond 2^53 - 1). */
const HAS_LONG_DIGIT_RUN = 1;
/** Flag of {@link screenJsonBytes}: a 3-digit exponent, a 300-digit run, or over MAX_JSON_DEPTH brackets. */
const MAY_BE_UNWRITABLE = 2;

/**
 * One pass over JSON bytes that flags what needs a closer look. Over-approximates (digits inside
 * strings count too): a flag only costs a slower path, a missed case would be a wrong answer.
 */
function screenJsonBytes(bytes: Uint8Array, start: number, end: number): number {
  let flags = 0;
  let digitRun = 0;
  let exponentDigits = -1;
  let openBrackets = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x30 && byte <= 0x39) {
      digitRun++;
      if (digitRun >= 16) flags |= HAS_LONG_DIGIT_RUN;
      if (digitRun >= 300) flags |= MAY_BE_UNWRITABLE;
      if (exponentDigits >= 0 && ++exponentDigits >= 3) flags |= MAY_BE_UNWRITABLE;
      continue;
    }
    digitRun = 0;
    if (byte === 0x65 || byte === 0x45) {
      exponentDigits = 0;
      continue;
    }
    // A sign right after the "e" keeps the exponent open; anything else closes it.
    if (!((byte === 0x2b || byte === 0x2d) && exponentDigits === 0)) exponentDigits = -1;
    if ((byte === 0x5b || byte === 0x7b) && ++openBrackets > MAX_JSON_DEPTH) flags |= MAY_BE_UNWRITABLE;
  }
  return flags;
}

/** Every number finite and nesting within MAX_JSON_DEPTH; iterative, so hostile depth cannot overflow the stack. */
function isWritableJson(root: JsonValue): boolean {
  const values: JsonValue[] = [root];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop()!;
    const depth = depths.pop()!;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return false;
    } else if (typeof value === "object" && value !== null) {
      if (depth >= MAX_JSON_DEPTH) return false;
      for (const member of Array.isArray(value) ? value : Object.values(value)) {
        values.push(member);
        depths.push(depth + 1);
      }
    }
  }
  return true;
}

function sameBytes(bytes: Uint8Array, a: number, b: number, length: number, otherLength: number): boolean {
  if (length !== otherLength) return false;
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function readPrimaryKey(bytes: Uint8Array, at: number, length: number, index: number): WalPrimaryKey {
  // Fast path for the common key, a JSON string without escapes: its UTF-8 between the quotes is the
  // value (control characters, which JSON requires escaped, fall through to the full parser).
  if (length >= 2 && bytes[at] === QUOTE && bytes[at + length - 1] === QUOTE) {
    let plain = true;
    for (let i = at + 1; i < at + length - 1; i++) {
      const byte = bytes[i]!;
      if (byte === QUOTE || byte === BACKSLASH || byte < 0x20) {
        plain = false;
        break;
      }
    }
    if (plain) return readText(bytes, at + 1, length - 2, index, "primary key");
  }
  const key = readJson(bytes, at, length, index, "primary key");
  if (isKeyPart(key) || (Array.isArray(key) && key.length > 0 && key.every(isKeyPart))) return key as WalPrimaryKey;
  throw corrupt(`entry ${index}: the primary key is JSON but not a string, number, bigint or array of those.`, at);
}

function isKeyPart(value: unknown): boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "bigint";
}

/** Reads a little-endian u64 that must be a safe integer. `base` is added to `offset` for errors. */
function readU64(view: DataView, offset: number, base: number): number {
  const high = view.getUint32(offset + 4, true);
  if (high > MAX_SAFE_HIGH_WORD) throw corrupt("a 64-bit field exceeds 2^53 - 1.", base + offset);
  return high * 0x100000000 + view.getUint32(offset, true);
}

function corrupt(message: string, offset: number, cause?: unknown): EvoDBError {
  return new EvoDBError("CORRUPT_WAL", `Corrupt WAL batch at byte ${offset}: ${message}`, { cause, details: { offset } });
}
