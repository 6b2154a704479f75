/**
 * Columns as returned to callers: typed arrays, never one object per row.
 *
 * Value representation by Lance type:
 * - int8..int32, uint8..uint32, float, double: the matching typed array (halffloat: Uint16Array of raw bits).
 * - int64 / uint64 (and timestamps, date64): BigInt64Array / BigUint64Array, so values beyond 2^53
 *   are exact. `valueAt` returns a bigint for these columns.
 * - bool: Uint8Array of 0/1.
 * - utf8 / binary: `offsets` (length + 1) into `bytes`; `valueAt` decodes a string or returns a
 *   Uint8Array view.
 * - fixed_size_list<T, d>: `values` holds length * d items row-major (Float32Array for vectors).
 * Null rows: `validity[i] === 0` (validity is null when the column has no nulls); their slots hold 0
 * or an empty string.
 */
import { check } from "./errors";
import type { FixedRaw, Raw } from "./codec/raw";
import { utf8 } from "./protobuf";
import type { LanceType } from "./schema";

/** Typed arrays a fixed-width column can be decoded into. */
export type FixedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** A fixed-width column (ints, floats, bools, fixed-size lists). */
export interface FixedColumn {
  readonly kind: "fixed";
  readonly type: LanceType;
  readonly length: number;
  readonly validity: Uint8Array | null;
  readonly values: FixedArray;
  /** Items per row: 1, or the dimension of a fixed-size list. */
  readonly dimension: number;
}

/** A utf8 or binary column. */
export interface BinaryColumn {
  readonly kind: "binary";
  readonly type: LanceType;
  readonly length: number;
  readonly validity: Uint8Array | null;
  readonly offsets: Uint32Array;
  readonly bytes: Uint8Array;
}

/** A decoded column. */
export type Column = FixedColumn | BinaryColumn;

/** One value as a plain JS value: number, bigint (64-bit ints), boolean, string, Uint8Array, array for lists, or null. */
export type CellValue = number | bigint | boolean | string | Uint8Array | number[] | bigint[] | null;

/** Width in bits of one value of a fixed-width type (fixed-size lists included). */
export function typeBits(type: LanceType): number {
  if (type.kind === "int" || type.kind === "float") return type.bits;
  if (type.kind === "bool") return 1;
  if (type.kind === "fixed_size_list") return type.dimension * typeBits(type.item);
  return 0;
}

function elementType(type: LanceType): LanceType {
  return type.kind === "fixed_size_list" ? type.item : type;
}

function aligned(bytes: Uint8Array, size: number): ArrayBuffer {
  // Typed arrays need element-aligned offsets; copy when the slice is not aligned or is shared.
  if (bytes.byteOffset % size === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

function typedArray(type: LanceType, raw: FixedRaw, items: number): FixedArray {
  const t = elementType(type);
  if (t.kind === "bool") {
    const out = new Uint8Array(items);
    for (let i = 0; i < items; i++) out[i] = (raw.bytes[i >> 3]! >> (i & 7)) & 1;
    return out;
  }
  const bytes = raw.bytes.subarray(0, (items * typeBits(t)) / 8);
  if (t.kind === "float") {
    if (t.bits === 32) return new Float32Array(aligned(bytes, 4), 0, items);
    if (t.bits === 64) return new Float64Array(aligned(bytes, 8), 0, items);
    return new Uint16Array(aligned(bytes, 2), 0, items);
  }
  check(t.kind === "int", "column type is not fixed-width");
  switch (t.bits) {
    case 8: return t.signed ? new Int8Array(aligned(bytes, 1), 0, items) : new Uint8Array(aligned(bytes, 1), 0, items);
    case 16: return t.signed ? new Int16Array(aligned(bytes, 2), 0, items) : new Uint16Array(aligned(bytes, 2), 0, items);
    case 32: return t.signed ? new Int32Array(aligned(bytes, 4), 0, items) : new Uint32Array(aligned(bytes, 4), 0, items);
    default: return t.signed ? new BigInt64Array(aligned(bytes, 8), 0, items) : new BigUint64Array(aligned(bytes, 8), 0, items);
  }
}

/** Builds a typed column from decoded raw values. */
export function toColumn(type: LanceType, raw: Raw, validity: Uint8Array | null): Column {
  const length = raw.count;
  const hasNulls = validity !== null && validity.includes(0);
  if (type.kind === "binary") {
    check(raw.kind === "variable", "a string column decoded to fixed-width values");
    return { kind: "binary", type, length, validity: hasNulls ? validity : null, offsets: raw.offsets, bytes: raw.bytes };
  }
  check(raw.kind === "fixed" && raw.bits === typeBits(type), `a ${type.kind} column decoded to values of the wrong width`);
  const dimension = type.kind === "fixed_size_list" ? type.dimension : 1;
  return { kind: "fixed", type, length, validity: hasNulls ? validity : null, values: typedArray(type, raw, length * dimension), dimension };
}

/** A zero-filled raw of `rows` values of `type` (all-null pages, fields missing from a file). */
export function zeroRaw(type: LanceType, rows: number): Raw {
  if (type.kind === "binary") return { kind: "variable", offsets: new Uint32Array(rows + 1), bytes: new Uint8Array(0), count: rows };
  const bits = typeBits(type);
  return { kind: "fixed", bits, bytes: new Uint8Array(Math.ceil((bits * rows) / 8)), count: rows };
}

/** Row `i` as a plain JS value (see the module comment for the mapping). */
export function valueAt(column: Column, i: number): CellValue {
  if (column.validity && column.validity[i] === 0) return null;
  if (column.kind === "binary") {
    const bytes = column.bytes.subarray(column.offsets[i], column.offsets[i + 1]);
    return column.type.kind === "binary" && column.type.utf8 ? utf8.decode(bytes) : bytes;
  }
  const t = elementType(column.type);
  if (column.dimension > 1 || column.type.kind === "fixed_size_list") {
    const slice = column.values.subarray(i * column.dimension, (i + 1) * column.dimension);
    return Array.from(slice as ArrayLike<number | bigint>) as number[] | bigint[];
  }
  const v = column.values[i]!;
  return t.kind === "bool" ? v === 1 : v;
}
