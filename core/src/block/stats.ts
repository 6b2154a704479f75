/**
 * Per-column statistics written into the footer (docs/format.md, "Column statistics"): tag counts,
 * min/max of the Value entries (numbers, strings, booleans), a distinct estimate (HyperLogLog,
 * 2^10 registers, ~3% error) and the hash pairs the bloom filter is built from. Zone maps in the
 * lakehouse snapshots and the query planner read exactly these numbers.
 */
import type { ColumnType } from "../column";
import { HASH_SEED_1, HASH_SEED_2, hashNumber, hashString } from "./hash";

/** Strings longer than this are cut in min/max; the stored max is bumped so it stays an upper bound. */
export const STATS_STRING_LIMIT = 64;

/** Statistics of one column in one block; JSON-serialisable. */
export interface ColumnStats {
  /** Rows where the path is absent. */
  readonly missingCount: number;
  /** Rows holding JSON null. */
  readonly nullCount: number;
  /** Rows holding a value of the column's main type. */
  readonly valueCount: number;
  /** Rows holding an object (members in child columns). */
  readonly objectCount: number;
  /** Rows holding another type (variant residual). */
  readonly variantCount: number;
  /** Estimated number of distinct Value entries (exact for 0 and 1, ~3% error above). */
  readonly distinctCount: number;
  /**
   * Lower / upper bound of the Value entries: numbers for int/float, strings (UTF-16 code-unit
   * order, possibly shortened to a bound) for string, booleans for bool; null when there are none.
   */
  readonly min: number | string | boolean | null;
  readonly max: number | string | boolean | null;
}

/** Stats plus the hash pairs (for the bloom filter) of one column's Value entries (per value, or per distinct value). */
export interface ComputedStats {
  stats: ColumnStats;
  hash1: Uint32Array;
  hash2: Uint32Array;
}

const HLL_BITS = 10;
const HLL_M = 1 << HLL_BITS;

/** HyperLogLog estimate of the number of distinct values from their first hashes. */
export function estimateDistinct(hash1: Uint32Array, count: number): number {
  if (count <= 1) return count;
  const registers = new Uint8Array(HLL_M);
  for (let i = 0; i < count; i++) {
    const h = hash1[i]!;
    const index = h >>> (32 - HLL_BITS);
    const rank = Math.clz32((h << HLL_BITS) | (1 << (HLL_BITS - 1))) + 1;
    if (rank > registers[index]!) registers[index] = rank;
  }
  let sum = 0;
  let zeros = 0;
  for (let j = 0; j < HLL_M; j++) {
    sum += 2 ** -registers[j]!;
    if (registers[j] === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / HLL_M);
  let estimate = (alpha * HLL_M * HLL_M) / sum;
  if (estimate <= 2.5 * HLL_M && zeros > 0) estimate = HLL_M * Math.log(HLL_M / zeros);
  return Math.max(1, Math.min(count, Math.round(estimate)));
}

function lowerBound(s: string): string {
  return s.length > STATS_STRING_LIMIT ? s.slice(0, STATS_STRING_LIMIT) : s;
}

function upperBound(s: string): string {
  if (s.length <= STATS_STRING_LIMIT) return s;
  // Any string starting with the prefix sorts below the prefix with its last bumpable unit + 1.
  for (let k = STATS_STRING_LIMIT - 1; k >= 0; k--) {
    const c = s.charCodeAt(k);
    if (c < 0xffff) return s.slice(0, k) + String.fromCharCode(c + 1);
  }
  return s;
}

/** First hashes of `count` strings (the input of {@link estimateDistinct}). */
export function hashStrings(values: readonly string[], count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = hashString(values[i]!, HASH_SEED_1);
  return out;
}

/** Tag counts of a column. */
export function countTags(tags: Uint8Array): [missing: number, nulls: number, values: number, objects: number, variants: number] {
  const counts = [0, 0, 0, 0, 0] as [number, number, number, number, number];
  for (let i = 0; i < tags.length; i++) counts[tags[i]!]!++;
  return counts;
}

/**
 * Computes stats over the compact Value entries of a column. For a string column whose distinct
 * values are already known (`distinct`), bounds and hashes come from those alone and the distinct
 * count is exact.
 */
export function computeStats(
  type: ColumnType,
  tagCounts: readonly number[],
  values: Float64Array | Uint8Array | readonly string[] | null,
  count: number,
  distinct: Map<string, number> | null = null,
  stringHash1: Uint32Array | null = null,
): ComputedStats {
  if (type === "string" && distinct && count > 0) {
    const keys = [...distinct.keys()];
    const { stats: s, hash1, hash2 } = computeStats(type, tagCounts, keys, keys.length);
    return { stats: { ...s, distinctCount: keys.length }, hash1, hash2 };
  }
  const hash1 = stringHash1 ?? new Uint32Array(count);
  const hash2 = new Uint32Array(count);
  let min: number | string | boolean | null = null;
  let max: number | string | boolean | null = null;
  if (count > 0 && values) {
    if (type === "string") {
      const strings = values as readonly string[];
      let lo = strings[0]!;
      let hi = lo;
      for (let i = 0; i < count; i++) {
        const s = strings[i]!;
        if (s < lo) lo = s;
        if (s > hi) hi = s;
        if (!stringHash1) hash1[i] = hashString(s, HASH_SEED_1);
        hash2[i] = hashString(s, HASH_SEED_2);
      }
      min = lowerBound(lo);
      max = upperBound(hi);
    } else if (type === "bool") {
      const bits = values as Uint8Array;
      let seen = 0;
      for (let i = 0; i < count; i++) seen |= bits[i] ? 2 : 1;
      min = (seen & 1) === 0;
      max = (seen & 2) !== 0;
      return { stats: stats(tagCounts, seen === 3 ? 2 : 1, min, max), hash1, hash2 };
    } else {
      const numbers = values as Float64Array;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < count; i++) {
        const v = numbers[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        const key = v === 0 ? 0 : v;
        hash1[i] = hashNumber(key, HASH_SEED_1);
        hash2[i] = hashNumber(key, HASH_SEED_2);
      }
      // All-NaN float columns (not producible from JSON) have no usable bounds.
      if (lo <= hi) {
        min = lo;
        max = hi;
      }
    }
  }
  return { stats: stats(tagCounts, estimateDistinct(hash1, count), min, max), hash1, hash2 };
}

function stats(tagCounts: readonly number[], distinctCount: number, min: ColumnStats["min"], max: ColumnStats["max"]): ColumnStats {
  return {
    missingCount: tagCounts[0]!,
    nullCount: tagCounts[1]!,
    valueCount: tagCounts[2]!,
    objectCount: tagCounts[3]!,
    variantCount: tagCounts[4]!,
    distinctCount,
    min,
    max,
  };
}
