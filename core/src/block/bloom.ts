/**
 * Bloom filters over a column's Value entries (docs/format.md, "Bloom filter"): m bits, k probes at
 * (h1 + i*h2) mod m (Kirsch–Mitzenmacher double hashing with the two Murmur3 seeds of ./hash).
 * Sized from the distinct estimate for the requested false-positive rate (default 1%).
 */
import { HASH_SEED_1, HASH_SEED_2, hashNumber, hashString } from "./hash";

/** A filter's bits and probe count (the bits are one region of the block, its location in the footer). */
export interface BloomFilter {
  /** Bit j is bit (j & 7) of byte (j >> 3); m = bits.length * 8. */
  readonly bits: Uint8Array;
  /** Number of probes k (1..16). */
  readonly hashCount: number;
}

/** Largest probe count a reader accepts. */
export const MAX_BLOOM_HASHES = 16;

/** Bytes and probes for `distinct` keys at false-positive rate `fpp`. */
export function bloomShape(distinct: number, fpp: number): { bytes: number; hashCount: number } {
  const n = Math.max(1, Math.ceil(distinct * 1.1));
  const bitsNeeded = Math.ceil((-n * Math.log(fpp)) / (Math.LN2 * Math.LN2));
  const bytes = Math.max(8, Math.ceil(bitsNeeded / 64) * 8);
  const hashCount = Math.min(MAX_BLOOM_HASHES, Math.max(1, Math.round(((bytes * 8) / n) * Math.LN2)));
  return { bytes, hashCount };
}

/** Builds a filter from precomputed hash pairs `h1[i], h2[i]` for i < count. */
export function buildBloom(h1: Uint32Array, h2: Uint32Array, count: number, bytes: number, hashCount: number): BloomFilter {
  const bits = new Uint8Array(bytes);
  const m = bytes * 8;
  let lastA = -1;
  let lastB = -1;
  for (let i = 0; i < count; i++) {
    const a = h1[i]!;
    const b = h2[i]!;
    // Runs of equal values (sorted or repetitive columns) set the same bits: skip them.
    if (a === lastA && b === lastB) continue;
    lastA = a;
    lastB = b;
    // (a + j*b) mod m, stepped exactly without a float modulo per probe.
    let bit = a % m;
    const step = b % m;
    for (let j = 0; j < hashCount; j++) {
      bits[bit >>> 3] = bits[bit >>> 3]! | (1 << (bit & 7));
      bit += step;
      if (bit >= m) bit -= m;
    }
  }
  return { bits, hashCount };
}

function probe(filter: BloomFilter, a: number, b: number): boolean {
  const m = filter.bits.length * 8;
  let bit = a % m;
  const step = b % m;
  for (let j = 0; j < filter.hashCount; j++) {
    if ((filter.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    bit += step;
    if (bit >= m) bit -= m;
  }
  return true;
}

/** False when `value` is certainly absent; true when it may be present. Numbers: -0 is probed as 0. */
export function bloomTest(filter: BloomFilter, value: number | string): boolean {
  if (typeof value === "string") return probe(filter, hashString(value, HASH_SEED_1), hashString(value, HASH_SEED_2));
  const v = value === 0 ? 0 : value;
  return probe(filter, hashNumber(v, HASH_SEED_1), hashNumber(v, HASH_SEED_2));
}
