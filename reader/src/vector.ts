import { Tag, type JsonValue } from "@evodb/core";
import { stringCodesOf, type BatchView } from "./batch-view";
import { Kind } from "./value-order";

/**
 * A column of evaluated values for the rows of a selection: one kind byte per row plus dense typed
 * slots, so expression evaluation loops over typed arrays instead of boxing each value.
 * `nums` holds numbers and booleans (0/1); `strs` strings; `others` arrays, objects and bigints.
 * `strs` / `others` exist only when some row needs them.
 */
export interface Vec {
  readonly length: number;
  readonly kinds: Uint8Array;
  readonly nums: Float64Array;
  strs: (string | undefined)[] | undefined;
  others: (JsonValue | undefined)[] | undefined;
}

/** A vector of `length` NULLs. */
export function nullVec(length: number): Vec {
  return { length, kinds: new Uint8Array(length), nums: new Float64Array(length), strs: undefined, others: undefined };
}

/** Stores a JSON value (or `undefined` = missing) in slot `i`. */
export function setVecValue(vec: Vec, i: number, value: JsonValue | undefined): void {
  if (value === null || value === undefined) {
    vec.kinds[i] = Kind.Null;
    return;
  }
  switch (typeof value) {
    case "boolean":
      vec.kinds[i] = Kind.Bool;
      vec.nums[i] = value ? 1 : 0;
      return;
    case "number":
      vec.kinds[i] = Kind.Number;
      vec.nums[i] = value;
      return;
    case "string":
      vec.kinds[i] = Kind.String;
      (vec.strs ??= new Array<string | undefined>(vec.length))[i] = value;
      return;
    default:
      vec.kinds[i] = Kind.Other;
      (vec.others ??= new Array<JsonValue | undefined>(vec.length))[i] = value;
  }
}

/** The JSON value of slot `i` (`null` for SQL NULL). */
export function vecValue(vec: Vec, i: number): JsonValue {
  switch (vec.kinds[i]) {
    case Kind.Bool:
      return vec.nums[i] === 1;
    case Kind.Number:
      return vec.nums[i]!;
    case Kind.String:
      return vec.strs![i]!;
    case Kind.Other:
      return vec.others![i]!;
    default:
      return null;
  }
}

/** A vector holding the same literal in every slot. */
export function constantVec(value: JsonValue, length: number): Vec {
  const vec = nullVec(length);
  if (value === null) return vec;
  setVecValue(vec, 0, value);
  vec.kinds.fill(vec.kinds[0]!);
  vec.nums.fill(vec.nums[0]!);
  if (vec.strs) vec.strs.fill(vec.strs[0]);
  if (vec.others) vec.others.fill(vec.others[0]);
  return vec;
}

/**
 * Gathers the values of `path` for the selected rows. Typed rows are copied straight from the
 * column's typed array; only objects, variants and overflowed members take the per-row slow path.
 */
export function gatherPath(view: BatchView, path: readonly string[], selection: Uint32Array): Vec {
  const n = selection.length;
  const vec = nullVec(n);
  const column = view.column(path);
  if (column === undefined) {
    if (view.hasOverflow || path.length === 0) for (let j = 0; j < n; j++) setVecValue(vec, j, view.valueAt(path, selection[j]!));
    return vec;
  }
  const tags = column.tags;
  const kinds = vec.kinds;
  const nums = vec.nums;
  let slow = false;
  switch (column.type) {
    case "int":
    case "float": {
      const values = column.values;
      for (let j = 0; j < n; j++) {
        const row = selection[j]!;
        const tag = tags[row]!;
        if (tag === Tag.Value) {
          kinds[j] = Kind.Number;
          nums[j] = values[row]!;
        } else if (tag !== Tag.Null) slow = true;
      }
      break;
    }
    case "bool": {
      const values = column.values;
      for (let j = 0; j < n; j++) {
        const row = selection[j]!;
        const tag = tags[row]!;
        if (tag === Tag.Value) {
          kinds[j] = Kind.Bool;
          nums[j] = values[row]!;
        } else if (tag !== Tag.Null) slow = true;
      }
      break;
    }
    case "string": {
      const strs = (vec.strs = new Array<string | undefined>(n));
      const coded = stringCodesOf(column);
      if (coded !== undefined) {
        // Late materialisation: strings only for the selected rows, straight from the dictionary.
        const { dictionary, codes } = coded;
        for (let j = 0; j < n; j++) {
          const row = selection[j]!;
          const tag = tags[row]!;
          if (tag === Tag.Value) {
            kinds[j] = Kind.String;
            strs[j] = dictionary[codes[row]!];
          } else if (tag !== Tag.Null) slow = true;
        }
        break;
      }
      const values = column.values;
      for (let j = 0; j < n; j++) {
        const row = selection[j]!;
        const tag = tags[row]!;
        if (tag === Tag.Value) {
          kinds[j] = Kind.String;
          strs[j] = values[row];
        } else if (tag !== Tag.Null) slow = true;
      }
      break;
    }
    default:
      slow = true;
  }
  if (slow) {
    // Second pass over the rows the typed loop could not settle: objects, variants, overflow.
    const resolveMissing = view.hasOverflow;
    for (let j = 0; j < n; j++) {
      const row = selection[j]!;
      const tag = tags[row]!;
      if (tag === Tag.Object || tag === Tag.Variant || (tag === Tag.Missing && resolveMissing)) {
        setVecValue(vec, j, view.valueAt(path, row));
      }
    }
  }
  return vec;
}

/** Identity selection 0..n-1. */
export function allRows(n: number): Uint32Array {
  const selection = new Uint32Array(n);
  for (let i = 0; i < n; i++) selection[i] = i;
  return selection;
}
