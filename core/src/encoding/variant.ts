/**
 * Compact binary codec for arbitrary {@link JsonValue}s: the Variant and overflow slots of a column
 * (docs/format.md, "Variant values"). One type byte, then:
 * null/false/true: nothing; non-negative / negative safe integer: varint of |v|; other numbers
 * (fractions, -0, huge): float64 LE; bigint: varint byte length + minimal two's-complement bytes LE;
 * string: varint byte length + WTF-8; array: varint count + items; object: varint count + (key as
 * string body, value) pairs in insertion order.
 * Nesting is limited to {@link MAX_VARIANT_DEPTH} on both sides, which also stops cyclic input.
 */
import type { JsonValue } from "../column";
import { EvoDBError } from "../errors";
import { ByteReader, ByteWriter, corrupt } from "./bytes";
import { readUtf8, writeUtf8 } from "./utf8";

/** Deepest nesting of arrays/objects a variant may have (keeps recursion far from the JS stack limit). */
export const MAX_VARIANT_DEPTH = 1000;

const T_NULL = 0;
const T_FALSE = 1;
const T_TRUE = 2;
const T_UINT = 3;
const T_NEGINT = 4;
const T_FLOAT = 5;
const T_BIGINT = 6;
const T_STRING = 7;
const T_ARRAY = 8;
const T_OBJECT = 9;

function writeString(w: ByteWriter, s: string): void {
  if (s.length <= 42) {
    // At most 3 bytes per UTF-16 unit, so the length fits a 1-byte varint: encode in place.
    const lengthAt = w.length;
    w.u8(0);
    // Encode first: writeUtf8 may grow (replace) the buffer that raw() returns.
    const n = writeUtf8(w, s);
    w.raw()[lengthAt] = n;
    return;
  }
  const scratch = new ByteWriter(s.length * 3 + 8);
  const n = writeUtf8(scratch, s);
  w.varint(n);
  w.bytes(scratch.subarray());
}

function writeBigInt(w: ByteWriter, v: bigint): void {
  // Minimal two's complement: enough bytes that the top bit is the sign.
  const magnitude = v < 0n ? -v - 1n : v;
  const bits = magnitude.toString(2).length + 1;
  const byteLength = Math.ceil(bits / 8);
  const hex = BigInt.asUintN(byteLength * 8, v).toString(16).padStart(byteLength * 2, "0");
  w.varint(byteLength);
  for (let i = byteLength - 1; i >= 0; i--) w.u8(parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function invalid(message: string): never {
  throw new EvoDBError("INVALID_ARGUMENT", message);
}

/** Appends the encoding of `value`; throws INVALID_ARGUMENT for non-JSON values or nesting beyond the limit. */
export function writeVariant(w: ByteWriter, value: JsonValue, depth = 0): void {
  if (value === null) return w.u8(T_NULL);
  switch (typeof value) {
    case "boolean":
      return w.u8(value ? T_TRUE : T_FALSE);
    case "number":
      if (Number.isSafeInteger(value) && !(value === 0 && 1 / value < 0)) {
        w.u8(value >= 0 ? T_UINT : T_NEGINT);
        return w.varint(Math.abs(value));
      }
      w.u8(T_FLOAT);
      return w.f64(value);
    case "bigint":
      w.u8(T_BIGINT);
      return writeBigInt(w, value);
    case "string":
      w.u8(T_STRING);
      return writeString(w, value);
    case "object":
      break;
    default:
      return invalid(`a ${typeof value} is not a JSON value; convert it before storing`);
  }
  if (depth >= MAX_VARIANT_DEPTH) invalid(`value nests deeper than ${MAX_VARIANT_DEPTH} levels (or is cyclic)`);
  if (Array.isArray(value)) {
    w.u8(T_ARRAY);
    w.varint(value.length);
    for (const item of value) {
      if (item === undefined) invalid("arrays may not contain undefined; use null");
      writeVariant(w, item, depth + 1);
    }
    return;
  }
  const keys = Object.keys(value);
  w.u8(T_OBJECT);
  w.varint(keys.length);
  for (const key of keys) {
    const item = value[key];
    if (item === undefined) invalid(`object member "${key}" is undefined; omit it or use null`);
    writeString(w, key);
    writeVariant(w, item, depth + 1);
  }
}

function readString(r: ByteReader): string {
  const n = r.count(r.remaining, "variant string length");
  const start = r.pos;
  r.pos += n;
  return readUtf8(r.bytes, start, start + n);
}

function readBigInt(r: ByteReader): bigint {
  const n = r.count(r.remaining, "bigint length");
  if (n === 0) corrupt("bigint with no bytes");
  const bytes = r.take(n, "bigint bytes");
  let hex = "";
  for (let i = n - 1; i >= 0; i--) hex += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
  return BigInt.asIntN(n * 8, BigInt(`0x${hex}`));
}

/** Reads one variant value; malformed bytes throw CORRUPT_BLOCK. */
export function readVariant(r: ByteReader, depth = 0): JsonValue {
  const type = r.u8("variant type");
  switch (type) {
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_UINT:
      return r.varint("variant integer");
    case T_NEGINT: {
      const v = r.varint("variant integer");
      if (v === 0) corrupt("negative integer zero");
      return -v;
    }
    case T_FLOAT:
      return r.f64("variant float");
    case T_BIGINT:
      return readBigInt(r);
    case T_STRING:
      return readString(r);
    case T_ARRAY: {
      if (depth >= MAX_VARIANT_DEPTH) corrupt(`variant nests deeper than ${MAX_VARIANT_DEPTH} levels`);
      // Every item takes at least one byte, which bounds the allocation by the bytes present.
      const n = r.count(r.remaining, "variant array length");
      const out: JsonValue[] = new Array<JsonValue>(n);
      for (let i = 0; i < n; i++) out[i] = readVariant(r, depth + 1);
      return out;
    }
    case T_OBJECT: {
      if (depth >= MAX_VARIANT_DEPTH) corrupt(`variant nests deeper than ${MAX_VARIANT_DEPTH} levels`);
      const n = r.count(r.remaining >>> 1, "variant object size");
      const out: { [key: string]: JsonValue } = {};
      for (let i = 0; i < n; i++) {
        const key = readString(r);
        const value = readVariant(r, depth + 1);
        // A plain assignment to "__proto__" would change the prototype instead of adding a member.
        if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
        else out[key] = value;
      }
      return out;
    }
    default:
      return corrupt(`unknown variant type ${type}`);
  }
}
