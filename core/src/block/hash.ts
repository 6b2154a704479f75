/**
 * MurmurHash3 x86_32 of the values EvoDB indexes (bloom filters, distinct estimates), as specified
 * in docs/format.md ("Hashing"): a number is hashed as its 8 float64 bytes (little-endian), a string
 * as its UTF-16LE code-unit bytes. Two seeds give the two independent hashes double hashing needs.
 */

/** Seed of the first hash. */
export const HASH_SEED_1 = 0x2f0d9b71;
/** Seed of the second hash. */
export const HASH_SEED_2 = 0x5bd1e995;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, byteLength: number): number {
  h ^= byteLength;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Murmur3 of the float64 bytes of `v` (callers normalise -0 to 0 where values compare equal). */
export function hashNumber(v: number, seed: number): number {
  f64[0] = v;
  const lo = LITTLE_ENDIAN_HOST ? u32[0]! : u32[1]!;
  const hi = LITTLE_ENDIAN_HOST ? u32[1]! : u32[0]!;
  return finish(mixBlock(mixBlock(seed, lo), hi), 8);
}

/** Murmur3 of the UTF-16LE bytes of `s`. */
export function hashString(s: string, seed: number): number {
  let h = seed;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mixBlock(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) {
    // Murmur3 tail: a 2-byte remainder is mixed without the block rotation of h.
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  return finish(h, n * 2);
}
