/**
 * Float64 streams (docs/format.md, "Float stream"). Floats that are really integers, or decimals
 * with a few fractional digits (prices, ratios), are stored as int streams so they bit-pack; the
 * rest are plain little-endian float64, or a dictionary when few distinct values repeat. -0, NaN
 * and infinities always go through the exact plain/dictionary paths.
 */
import { ByteReader, ByteWriter, corrupt } from "./bytes";
import { FloatEncoding } from "./ids";
import { readIntStream, writeIntStream } from "./int";

const MAX_DECIMAL_EXPONENT = 6;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isIntegral(values: Float64Array, start: number, count: number): boolean {
  for (let i = start; i < start + count; i++) {
    const v = values[i]!;
    if (!Number.isSafeInteger(v) || (v === 0 && 1 / v < 0)) return false;
  }
  return true;
}

/** The exponent e in 1..6 such that every value equals round(v * 10^e) / 10^e exactly, or 0. */
function decimalExponent(values: Float64Array, start: number, count: number, scaled: Float64Array): number {
  for (let e = 1; e <= MAX_DECIMAL_EXPONENT; e++) {
    const scale = 10 ** e;
    let ok = true;
    for (let i = 0; i < count; i++) {
      const v = values[start + i]!;
      const k = Math.round(v * scale);
      if (!(Number.isSafeInteger(k) && k / scale === v) || (v === 0 && 1 / v < 0)) {
        ok = false;
        break;
      }
      scaled[i] = k;
    }
    if (ok) return e;
  }
  return 0;
}

function fewDistinct(values: Float64Array, start: number, count: number): Map<number, number> | null {
  if (count < 64) return null;
  const sample = Math.min(count, 1024);
  const seen = new Set<number>();
  for (let i = 0; i < sample; i++) seen.add(values[start + i]!);
  if (seen.size * 4 > sample) return null;
  const distinct = new Map<number, number>();
  const limit = count >>> 2;
  for (let i = 0; i < count; i++) {
    const v = values[start + i]!;
    if (v !== v) return null;
    // Map keys use SameValueZero, which merges -0 and 0: -0 is keyed as NaN (real NaN never gets here).
    const key = v === 0 && 1 / v < 0 ? Number.NaN : v;
    if (!distinct.has(key)) {
      distinct.set(key, distinct.size);
      if (distinct.size > limit) return null;
    }
  }
  return distinct;
}

/** Appends a float stream for `values[start, start+count)` and returns the encoding id chosen. */
export function writeFloatStream(w: ByteWriter, values: Float64Array, start: number, count: number): FloatEncoding {
  if (isIntegral(values, start, count)) {
    w.u8(FloatEncoding.Integral);
    w.varint(count);
    writeIntStream(w, values, start, count);
    return FloatEncoding.Integral;
  }
  const scaled = new Float64Array(count);
  const e = decimalExponent(values, start, count, scaled);
  if (e > 0) {
    w.u8(FloatEncoding.Decimal);
    w.varint(count);
    w.u8(e);
    writeIntStream(w, scaled, 0, count);
    return FloatEncoding.Decimal;
  }
  const distinct = fewDistinct(values, start, count);
  if (distinct) {
    w.u8(FloatEncoding.Dictionary);
    w.varint(count);
    w.varint(distinct.size);
    w.align(8);
    for (const key of distinct.keys()) w.f64(key !== key ? -0 : key);
    const codes = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const v = values[start + i]!;
      codes[i] = distinct.get(v === 0 && 1 / v < 0 ? Number.NaN : v)!;
    }
    writeIntStream(w, codes, 0, count, 1);
    return FloatEncoding.Dictionary;
  }
  w.u8(FloatEncoding.Plain);
  w.varint(count);
  w.align(8);
  for (let i = 0; i < count; i++) w.f64(values[start + i]!);
  return FloatEncoding.Plain;
}

function readPlainFloats(r: ByteReader, count: number, out: Float64Array, outPos: number): void {
  r.align(8, 0);
  r.need(count * 8, "plain float values");
  const abs = r.bytes.byteOffset + r.pos;
  if (abs % 8 === 0 && LITTLE_ENDIAN_HOST) {
    out.set(new Float64Array(r.bytes.buffer, abs, count), outPos);
    r.pos += count * 8;
  } else {
    for (let i = 0; i < count; i++) out[outPos + i] = r.f64();
  }
}

/** Reads a float stream of exactly `count` values into `out[outPos..]`; returns its encoding id. */
export function readFloatStream(r: ByteReader, count: number, out: Float64Array, outPos: number): FloatEncoding {
  const id = r.u8("float encoding id");
  const stated = r.varint("float stream count");
  if (stated !== count) corrupt(`float stream holds ${stated} values where ${count} were expected`);
  switch (id) {
    case FloatEncoding.Integral:
      readIntStream(r, count, out, outPos);
      return FloatEncoding.Integral;
    case FloatEncoding.Decimal: {
      const e = r.u8("decimal exponent");
      if (e < 1 || e > MAX_DECIMAL_EXPONENT) corrupt(`decimal exponent ${e} is outside 1..${MAX_DECIMAL_EXPONENT}`);
      readIntStream(r, count, out, outPos);
      const scale = 10 ** e;
      for (let i = outPos; i < outPos + count; i++) out[i] = out[i]! / scale;
      return FloatEncoding.Decimal;
    }
    case FloatEncoding.Dictionary: {
      const size = r.count(count, "float dictionary size");
      const dict = new Float64Array(size);
      readPlainFloats(r, size, dict, 0);
      readIntStream(r, count, out, outPos, 1);
      for (let i = outPos; i < outPos + count; i++) {
        const v = dict[out[i]!];
        if (v === undefined) corrupt(`dictionary code ${out[i]} is outside the ${size}-entry dictionary`);
        out[i] = v;
      }
      return FloatEncoding.Dictionary;
    }
    case FloatEncoding.Plain:
      readPlainFloats(r, count, out, outPos);
      return FloatEncoding.Plain;
    default:
      return corrupt(`unknown float encoding id ${id}`);
  }
}
