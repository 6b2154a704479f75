import { finiteNumber, malformed, type Reducer } from "../reducer";

/** Count partial: a non-negative integer. */
export interface CountPartial {
  count: number;
}

/** Counts inputs. Exact up to 2^53 - 1. Add with `partial.count += n`. */
export function countReducer(): Reducer<CountPartial, number> {
  return {
    kind: "count",
    empty: () => ({ count: 0 }),
    merge: (left, right) => ({ count: left.count + right.count }),
    finalize: (partial) => partial.count,
    encode: (partial) => partial.count,
    decode: (json) => {
      if (!Number.isSafeInteger(json) || (json as number) < 0) throw malformed("count", "expected a non-negative safe integer");
      return { count: json as number };
    },
  };
}

/** Min or max partial: `null` until a value is seen. */
export interface ExtremumPartial {
  value: number | null;
}

/** Adds `value` to a min partial. NaN is ignored (it has no order). */
export function addMin(partial: ExtremumPartial, value: number): void {
  if (value === value && (partial.value === null || value < partial.value)) partial.value = value;
}

/** Adds `value` to a max partial. NaN is ignored (it has no order). */
export function addMax(partial: ExtremumPartial, value: number): void {
  if (value === value && (partial.value === null || value > partial.value)) partial.value = value;
}

function extremum(kind: "min" | "max", add: (p: ExtremumPartial, v: number) => void): Reducer<ExtremumPartial, number | null> {
  return {
    kind,
    empty: () => ({ value: null }),
    merge: (left, right) => {
      const out = { value: left.value };
      if (right.value !== null) add(out, right.value);
      return out;
    },
    finalize: (partial) => partial.value,
    // Infinity is a legal min/max but not JSON, so the wire form is a string for non-finite values.
    encode: (partial) => (partial.value === null || Number.isFinite(partial.value) ? partial.value : String(partial.value)),
    decode: (json) => {
      if (json === null) return { value: null };
      if (json === "Infinity") return { value: Infinity };
      if (json === "-Infinity") return { value: -Infinity };
      return { value: finiteNumber(kind, json, "value") };
    },
  };
}

/** Smallest number seen (`null` for no input). Add with {@link addMin}. */
export function minReducer(): Reducer<ExtremumPartial, number | null> {
  return extremum("min", addMin);
}

/** Largest number seen (`null` for no input). Add with {@link addMax}. */
export function maxReducer(): Reducer<ExtremumPartial, number | null> {
  return extremum("max", addMax);
}
