/**
 * Encoding ids as written in chunk streams and the block footer (docs/format.md, "Encoding ids").
 * Ids are part of format v1: never renumber, only append.
 */
export const IntEncoding = {
  /** Little-endian float64 per value (8-aligned). */
  Plain: 1,
  /** Frame of reference: base float64 + bit-packed offsets of width 0..32. */
  FrameOfReference: 2,
  /** First value + frame-of-reference bit-packed deltas. */
  Delta: 3,
  /** Runs: a nested value stream and a nested run-length stream. */
  RunLength: 4,
  /** Sorted distinct values (nested stream) + codes (nested stream). */
  Dictionary: 5,
} as const;
export type IntEncoding = (typeof IntEncoding)[keyof typeof IntEncoding];

export const FloatEncoding = {
  /** Little-endian float64 per value (8-aligned). */
  Plain: 16,
  /** Every value is an exact safe integer (never -0): a nested int stream. */
  Integral: 17,
  /** Every value is `k / 10^e` for an integer k: exponent byte + nested int stream of k. */
  Decimal: 18,
  /** Distinct values (plain float64) + codes (nested int stream). */
  Dictionary: 19,
} as const;
export type FloatEncoding = (typeof FloatEncoding)[keyof typeof FloatEncoding];

export const StringEncoding = {
  /** UTF-8 lengths (nested int stream) + concatenated (W)UTF-8 bytes. */
  Plain: 32,
  /** Distinct strings (as Plain) + codes (nested int stream). */
  Dictionary: 33,
} as const;
export type StringEncoding = (typeof StringEncoding)[keyof typeof StringEncoding];
