/**
 * Decoded-but-untyped values, the currency between the physical decoders and column assembly:
 * fixed-width values as little-endian bytes, or variable-width values as offsets into bytes.
 */
import { check } from "../errors";

/** `count` values of `bits` bits each, packed LE (bits = 1: LSB-first bitmap). */
export interface FixedRaw {
  readonly kind: "fixed";
  readonly bits: number;
  readonly bytes: Uint8Array;
  readonly count: number;
}

/** `count` byte strings: value i is `bytes[offsets[i]..offsets[i+1]]`. */
export interface VariableRaw {
  readonly kind: "variable";
  readonly offsets: Uint32Array;
  readonly bytes: Uint8Array;
  readonly count: number;
}

/** Decoded values of either kind. */
export type Raw = FixedRaw | VariableRaw;

/** Bytes needed for `count` values of `bits` bits. */
export function fixedBytes(bits: number, count: number): number {
  return Math.ceil((bits * count) / 8);
}

/** A fixed-width view of the first `count` values of `bytes`, bounds-checked. */
export function fixed(bits: number, bytes: Uint8Array, count: number): FixedRaw {
  const need = fixedBytes(bits, count);
  check(bytes.length >= need, `fixed-width buffer holds ${bytes.length} bytes, ${need} needed`);
  return { kind: "fixed", bits, bytes: bytes.subarray(0, need), count };
}

/** Reads `count + 1` LE offsets of `width` bytes at `pos`, checked to be non-decreasing and within `limit`. */
export function readOffsets(buffer: Uint8Array, pos: number, count: number, width: 4 | 8, limit: number): Uint32Array {
  check(pos + (count + 1) * width <= buffer.length, "offset table runs past the buffer");
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const out = new Uint32Array(count + 1);
  let previous = 0;
  for (let i = 0; i <= count; i++) {
    const at = pos + i * width;
    const value = width === 4 ? view.getUint32(at, true) : view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    check(value >= previous && value <= limit, "offsets decrease or point past the data");
    out[i] = value;
    previous = value;
  }
  return out;
}

/** Concatenates raws of the same kind (pages, chunks) into one. */
export function concatRaw(parts: Raw[]): Raw {
  if (parts.length === 1) return parts[0]!;
  const first = parts[0];
  check(first !== undefined, "nothing to concatenate");
  let count = 0;
  for (const p of parts) count += p.count;
  if (first.kind === "fixed") {
    const bits = first.bits;
    const out = new Uint8Array(fixedBytes(bits, count));
    let at = 0;
    for (const p of parts) {
      check(p.kind === "fixed" && p.bits === bits, "pages of one column differ in width");
      if (bits % 8 === 0) out.set(p.bytes.subarray(0, fixedBytes(bits, p.count)), at / 8);
      else for (let i = 0; i < p.count; i++) if ((p.bytes[i >> 3]! >> (i & 7)) & 1) out[(at + i) >> 3]! |= 1 << ((at + i) & 7);
      at += bits * p.count;
    }
    return { kind: "fixed", bits, bytes: out, count };
  }
  let total = 0;
  for (const p of parts) {
    check(p.kind === "variable", "pages of one column differ in kind");
    total += p.offsets[p.count]! - p.offsets[0]!;
  }
  const bytes = new Uint8Array(total);
  const offsets = new Uint32Array(count + 1);
  let row = 0;
  let at = 0;
  for (const p of parts as VariableRaw[]) {
    const base = p.offsets[0]!;
    bytes.set(p.bytes.subarray(base, p.offsets[p.count]), at);
    for (let i = 1; i <= p.count; i++) offsets[row + i] = at + p.offsets[i]! - base;
    row += p.count;
    at += p.offsets[p.count]! - base;
  }
  return { kind: "variable", offsets, bytes, count };
}
