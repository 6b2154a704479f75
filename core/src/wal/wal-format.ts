/**
 * Types, constants and limits of the WAL / CDC batch format, version 1. The byte layout is
 * specified in docs/wal.md; keep the two in step.
 */
import type { JsonValue } from "../column";

/** The operation an entry records. */
export type WalOp = "insert" | "update" | "delete";

/** One scalar part of a primary key. `bigint` holds integers beyond 2^53 exactly. */
export type WalKeyPart = string | number | bigint;

/** A primary key: one part, or a non-empty array of parts for a composite key. */
export type WalPrimaryKey = WalKeyPart | WalKeyPart[];

/** One change: a row of `table`, identified by `primaryKey`, at log position `lsn`. */
export interface WalEntry {
  table: string;
  primaryKey: WalPrimaryKey;
  /** Log sequence number: a safe integer, strictly increasing within a batch. */
  lsn: number;
  op: WalOp;
  /** The row after the change; present for insert and update, absent for delete. */
  document?: JsonValue;
  /** When the change happened, in milliseconds since the Unix epoch. */
  time: number;
}

/** What the 36 fixed bytes of a batch say, available before any document is parsed. */
export interface WalBatchInfo {
  entryCount: number;
  /** LSN of the first entry (0 when the batch is empty). */
  firstLsn: number;
  /** LSN of the last entry (0 when the batch is empty). */
  lastLsn: number;
  /** Total bytes of the batch: header, entries and CRC. */
  byteLength: number;
}

/** Format version written by this build; readers refuse any other. */
export const WAL_FORMAT_VERSION = 1;
/** "EVWL" in ASCII. */
export const WAL_MAGIC = Uint8Array.of(0x45, 0x56, 0x57, 0x4c);
/** Bytes of the batch header. */
export const WAL_HEADER_BYTES = 32;
/** Bytes of the CRC-32C trailer. */
export const WAL_CRC_BYTES = 4;
/** Bytes of each entry's fixed part, before table, key and document. */
export const WAL_ENTRY_FIXED_BYTES = 25;

/** Most entries in one batch. */
export const WAL_MAX_ENTRIES = 100_000;
/** Most bytes of one batch, header and CRC included (16 MiB). */
export const WAL_MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** Longest table name, in UTF-8 bytes. */
export const WAL_MAX_TABLE_BYTES = 256;
/** Longest primary key, in bytes of its JSON text. */
export const WAL_MAX_KEY_BYTES = 1024;

/** Op codes on the wire (index = code). */
export const WAL_OP_CODES: Readonly<Record<WalOp, number>> = { insert: 1, update: 2, delete: 3 };
/** Wire code to op; index 0 is unused. */
export const WAL_OPS_BY_CODE: readonly (WalOp | undefined)[] = [undefined, "insert", "update", "delete"];

/** Largest value of the high 32-bit word of a u64 that still holds a safe integer (2^53 - 1). */
export const MAX_SAFE_HIGH_WORD = 0x1fffff;
