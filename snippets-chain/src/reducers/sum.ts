import { EvoDBError } from "@evodb/core";
import { finiteNumber, malformed, objectOf, type Reducer } from "../reducer";

/**
 * Exact sum partial. Floating-point addition is not associative, so a plain running total would
 * depend on how the fan-out tree grouped the partitions (and Kahan summation only shrinks that
 * error). Instead the partial is an exact expansion: a list of non-overlapping doubles whose
 * mathematical sum is exactly the sum of every input (Shewchuk, "Adaptive Precision Floating-Point
 * Arithmetic", 1997; the algorithm behind Python's `math.fsum`). Merging adds one expansion into the
 * other exactly, and {@link finalizeSum} rounds once, correctly, so the answer is the same for every
 * tree shape and equals the correctly rounded true sum. Integers are a special case: any sum of safe
 * integers whose total is a safe integer comes out exact.
 */
export interface SumPartial {
  /** Non-overlapping components, increasing magnitude. */
  parts: number[];
  /** Sum of non-finite inputs (Infinity/NaN) by plain addition, or null when there were none. */
  nonFinite: number | null;
}

/** The partial of no input. */
export function emptySum(): SumPartial {
  return { parts: [], nonFinite: null };
}

/** Adds `value` exactly. Throws `LIMIT_EXCEEDED` if the exact sum leaves the double range. */
export function addToSum(partial: SumPartial, value: number): void {
  if (!Number.isFinite(value)) {
    partial.nonFinite = partial.nonFinite === null ? value : partial.nonFinite + value;
    return;
  }
  const parts = partial.parts;
  let x = value;
  let kept = 0;
  for (let j = 0; j < parts.length; j++) {
    let y = parts[j]!;
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    // Two-sum with |x| >= |y|: hi + lo == x + y exactly.
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) parts[kept++] = lo;
    x = hi;
  }
  if (!Number.isFinite(x)) {
    throw new EvoDBError("LIMIT_EXCEEDED", "snippets-chain: an intermediate sum overflowed the double range (|sum| > 1.8e308); sum smaller values or scale them", {
      details: { budget: "sum-range" },
    });
  }
  parts.length = kept;
  parts.push(x);
}

/** Adds every component of `right` into `left` exactly; returns `left`. */
export function mergeSums(left: SumPartial, right: SumPartial): SumPartial {
  for (const part of right.parts) addToSum(left, part);
  if (right.nonFinite !== null) addToSum(left, right.nonFinite);
  return left;
}

/** The correctly rounded sum (round half to even), or the non-finite sum when there was one. */
export function finalizeSum(partial: SumPartial): number {
  if (partial.nonFinite !== null) return partial.nonFinite;
  const parts = partial.parts;
  let n = parts.length;
  if (n === 0) return 0;
  let hi = parts[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = parts[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // The rest is below half an ulp of hi unless it tips a tie: round half to even by hand then.
  if (n > 0 && ((lo < 0 && parts[n - 1]! < 0) || (lo > 0 && parts[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

function encodeSum(partial: SumPartial): unknown {
  return { parts: partial.parts, nonFinite: partial.nonFinite === null ? null : String(partial.nonFinite) };
}

function decodeSum(kind: string, json: unknown): SumPartial {
  const object = objectOf(kind, json);
  if (!Array.isArray(object.parts)) throw malformed(kind, "parts must be an array");
  // Re-adding rebuilds a valid expansion from any list of finite numbers, so a malformed but finite
  // list cannot make finalizeSum round wrongly.
  const out = emptySum();
  for (const part of object.parts) addToSum(out, finiteNumber(kind, part, "parts[]"));
  const special = object.nonFinite;
  if (special !== null) {
    if (special !== "Infinity" && special !== "-Infinity" && special !== "NaN") throw malformed(kind, "nonFinite must be null, Infinity, -Infinity or NaN");
    out.nonFinite = Number(special);
  }
  return out;
}

/** Exact sum of numbers (see {@link SumPartial}). Add with {@link addToSum}. */
export function sumReducer(): Reducer<SumPartial, number> {
  return {
    kind: "sum",
    empty: emptySum,
    merge: mergeSums,
    finalize: finalizeSum,
    encode: encodeSum,
    decode: (json) => decodeSum("sum", json),
  };
}

/** Average partial: an exact sum and a count, so merging never averages averages. */
export interface AvgPartial {
  sum: SumPartial;
  count: number;
}

/** Adds one value to an average partial. */
export function addToAvg(partial: AvgPartial, value: number): void {
  addToSum(partial.sum, value);
  partial.count++;
}

/** Mean of numbers (`null` for no input): the correctly rounded sum divided by the count. */
export function avgReducer(): Reducer<AvgPartial, number | null> {
  return {
    kind: "avg",
    empty: () => ({ sum: emptySum(), count: 0 }),
    merge: (left, right) => ({ sum: mergeSums(left.sum, right.sum), count: left.count + right.count }),
    finalize: (partial) => (partial.count === 0 ? null : finalizeSum(partial.sum) / partial.count),
    encode: (partial) => ({ sum: encodeSum(partial.sum), count: partial.count }),
    decode: (json) => {
      const object = objectOf("avg", json);
      if (!Number.isSafeInteger(object.count) || (object.count as number) < 0) throw malformed("avg", "count must be a non-negative integer");
      return { sum: decodeSum("avg", object.sum), count: object.count as number };
    },
  };
}
