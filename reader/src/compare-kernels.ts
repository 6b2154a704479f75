import { Tag, type ShreddedColumn } from "@evodb/core";
import type { BatchView } from "./batch-view";
import { entryTruths, truthFromCodes, usableCodes } from "./dictionary-kernels";
import type { CompareOp, Literal } from "./query-types";
import { Kind, compareStrings, compareTagged } from "./value-order";
import { setVecValue, nullVec, type Vec } from "./vector";

/**
 * Comparison kernels. A truth vector holds one byte per selected row: 0 FALSE, 1 TRUE, 2 NULL
 * (unknown), SQL's three-valued logic.
 */
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;

/**
 * Truth of `op` for a comparison result c in {-1, 0, 1}, as a 3-entry table indexed by c + 1, so
 * the hot loops do one lookup instead of a switch per row.
 */
export function truthTable(op: CompareOp): Uint8Array {
  switch (op) {
    case "=":
      return Uint8Array.of(0, 1, 0);
    case "!=":
      return Uint8Array.of(1, 0, 1);
    case "<":
      return Uint8Array.of(1, 0, 0);
    case "<=":
      return Uint8Array.of(1, 1, 0);
    case ">":
      return Uint8Array.of(0, 0, 1);
    case ">=":
      return Uint8Array.of(0, 1, 1);
  }
}

/** The operator with its operands swapped (`5 < x` is `x > 5`). */
export function flipOp(op: CompareOp): CompareOp {
  switch (op) {
    case "<":
      return ">";
    case "<=":
      return ">=";
    case ">":
      return "<";
    case ">=":
      return "<=";
    default:
      return op;
  }
}

/** Compares row j of `a` with row k of `b` under the total order of value-order.ts (both non-null). */
export function compareVecRows(a: Vec, j: number, b: Vec, k: number): number {
  const ka = a.kinds[j]!;
  const kb = b.kinds[k]!;
  if (ka === Kind.Number && kb === Kind.Number) {
    const x = a.nums[j]!;
    const y = b.nums[k]!;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ka === Kind.String && kb === Kind.String) return compareStrings(a.strs![j]!, b.strs![k]!);
  return compareTagged(ka, a.nums[j]!, a.strs?.[j], a.others?.[j], kb, b.nums[k]!, b.strs?.[k], b.others?.[k]);
}

/** Generic comparison of two vectors, row by row. */
export function compareVecs(op: CompareOp, a: Vec, b: Vec): Uint8Array {
  const n = a.length;
  const out = new Uint8Array(n);
  const table = truthTable(op);
  for (let j = 0; j < n; j++) {
    if (a.kinds[j] === Kind.Null || b.kinds[j] === Kind.Null) out[j] = UNKNOWN;
    else out[j] = table[compareVecRows(a, j, b, j) + 1]!;
  }
  return out;
}

/**
 * `column op literal` straight on the column's typed values: no gather, no boxing. Returns
 * undefined when the column's type differs from the literal's kind (the caller then takes the
 * generic path, which applies the cross-kind rule).
 */
export function compareColumnLiteral(
  view: BatchView,
  column: ShreddedColumn,
  op: CompareOp,
  literal: Literal,
  selection: Uint32Array,
): Uint8Array | undefined {
  const n = selection.length;
  const out = new Uint8Array(n);
  if (literal === null) return out.fill(UNKNOWN);
  const table = truthTable(op);
  const tags = column.tags;
  if ((column.type === "int" || column.type === "float") && typeof literal === "number") {
    const values = column.values;
    for (let j = 0; j < n; j++) {
      const row = selection[j]!;
      if (tags[row] === Tag.Value) {
        const v = values[row]!;
        out[j] = table[(v < literal ? -1 : v > literal ? 1 : 0) + 1]!;
      } else out[j] = UNKNOWN;
    }
  } else if (column.type === "string" && typeof literal === "string") {
    const coded = usableCodes(column, selection);
    if (coded !== undefined) {
      const truth = op === "=" || op === "!=" ? (e: string) => ((e === literal) === (op === "=") ? TRUE : FALSE) : (e: string) => table[compareStrings(e, literal) + 1]!;
      const onCodes = truthFromCodes(view, column, coded, entryTruths(coded, truth), selection);
      fixSlowRows(view, column, selection, onCodes, (vec) => compareVecs(op, vec, literalVec(literal, vec.length)));
      return onCodes;
    }
    const values = column.values;
    if (op === "=" || op === "!=") {
      const equal = op === "=" ? TRUE : FALSE;
      for (let j = 0; j < n; j++) {
        const row = selection[j]!;
        out[j] = tags[row] === Tag.Value ? (values[row] === literal ? equal : 1 - equal) : UNKNOWN;
      }
    } else {
      for (let j = 0; j < n; j++) {
        const row = selection[j]!;
        out[j] = tags[row] === Tag.Value ? table[compareStrings(values[row]!, literal) + 1]! : UNKNOWN;
      }
    }
  } else if (column.type === "bool" && typeof literal === "boolean") {
    const values = column.values;
    const l = literal ? 1 : 0;
    for (let j = 0; j < n; j++) {
      const row = selection[j]!;
      if (tags[row] === Tag.Value) {
        const v = values[row]!;
        out[j] = table[(v < l ? -1 : v > l ? 1 : 0) + 1]!;
      } else out[j] = UNKNOWN;
    }
  } else {
    return undefined;
  }
  fixSlowRows(view, column, selection, out, (vec) => compareVecs(op, vec, literalVec(literal, vec.length)));
  return out;
}

/**
 * Re-evaluates the rows a typed kernel marked UNKNOWN but that are not plainly NULL: objects,
 * variants and (when the batch has overflow) missing rows whose value sits in an ancestor.
 */
export function fixSlowRows(
  view: BatchView,
  column: ShreddedColumn,
  selection: Uint32Array,
  out: Uint8Array,
  evaluate: (values: Vec) => Uint8Array,
): void {
  const tags = column.tags;
  const resolveMissing = view.hasOverflow;
  let count = 0;
  for (let j = 0; j < selection.length; j++) {
    const tag = tags[selection[j]!]!;
    if (tag === Tag.Object || tag === Tag.Variant || (tag === Tag.Missing && resolveMissing)) count++;
  }
  if (count === 0) return;
  const positions = new Uint32Array(count);
  const values = nullVec(count);
  let k = 0;
  for (let j = 0; j < selection.length; j++) {
    const row = selection[j]!;
    const tag = tags[row]!;
    if (tag === Tag.Object || tag === Tag.Variant || (tag === Tag.Missing && resolveMissing)) {
      positions[k] = j;
      setVecValue(values, k++, view.valueAt(column.path, row));
    }
  }
  const truth = evaluate(values);
  for (let i = 0; i < count; i++) out[positions[i]!] = truth[i]!;
}

/** A vector repeating one literal; small helper for the slow paths. */
export function literalVec(literal: Literal, length: number): Vec {
  const vec = nullVec(length);
  for (let i = 0; i < length; i++) setVecValue(vec, i, literal);
  return vec;
}
