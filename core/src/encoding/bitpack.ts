/**
 * Frame-of-reference bit-packing of non-negative integer offsets (docs/format.md, "Bit-packed runs").
 * Values are packed LSB-first into little-endian 32-bit words in groups of 32, so a group of width
 * w is exactly w words and the generated kernels decode 32 values per iteration with constant
 * shifts. Measured on this machine kind (core/scripts/bench-bitpack.ts): the generated kernels run
 * several times faster than the generic loop below, which is kept only as the reference the tests
 * and the benchmark compare against.
 */
import { UNPACK_KERNELS } from "./bitpack-kernels.generated";

/** Number of bits needed to store `range` (0 -> 0, 1 -> 1, 2^32 - 1 -> 32); `range` < 2^32. */
export function bitWidth(range: number): number {
  return range === 0 ? 0 : 32 - Math.clz32(range);
}

/** Words needed for `count` values of `width` bits (whole groups of 32 values). */
export function packedWordCount(count: number, width: number): number {
  return Math.ceil(count / 32) * width;
}

/**
 * Packs `values[start, start+count) - base` (each in [0, 2^width)) into a new word array of
 * {@link packedWordCount} words.
 */
export function packBits(values: ArrayLike<number>, start: number, count: number, base: number, width: number): Uint32Array {
  const words = new Uint32Array(packedWordCount(count, width));
  if (width === 0) return words;
  let wi = 0;
  let bit = 0;
  for (let i = 0; i < count; i++) {
    const v = values[start + i]! - base;
    words[wi] = words[wi]! | (v << bit);
    if (bit + width > 32) words[wi + 1] = v >>> (32 - bit);
    bit += width;
    if (bit >= 32) {
      bit -= 32;
      wi++;
    }
  }
  return words;
}

const scratch = new Float64Array(32);

/**
 * Decodes `count` values of `width` bits from `words[wordPos..]` into `out[outPos..]`, adding
 * `base`. The caller has checked that `words` holds {@link packedWordCount} words from `wordPos`.
 */
export function unpackBits(words: Uint32Array, wordPos: number, count: number, width: number, base: number, out: Float64Array, outPos: number): void {
  const kernel = UNPACK_KERNELS[width]!;
  const full = count >>> 5;
  kernel(words, wordPos, out, outPos, full, base);
  const rest = count - full * 32;
  if (rest > 0) {
    kernel(words, wordPos + full * width, scratch, 0, 1, base);
    out.set(scratch.subarray(0, rest), outPos + full * 32);
  }
}

/** The straightforward per-value loop: the reference implementation and benchmark baseline. */
export function unpackBitsGeneric(words: Uint32Array, wordPos: number, count: number, width: number, base: number, out: Float64Array, outPos: number): void {
  if (width === 0) {
    out.fill(base, outPos, outPos + count);
    return;
  }
  const mask = width === 32 ? 0xffffffff : 2 ** width - 1;
  let wi = wordPos;
  let bit = 0;
  for (let i = 0; i < count; i++) {
    let v = words[wi]! >>> bit;
    if (bit + width > 32) v |= words[wi + 1]! << (32 - bit);
    out[outPos + i] = base + ((v & mask) >>> 0);
    bit += width;
    if (bit >= 32) {
      bit -= 32;
      wi++;
    }
  }
}
