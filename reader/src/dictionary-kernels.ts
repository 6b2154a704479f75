import { Tag, type ShreddedColumn, type StringCodes } from "@evodb/core";
import { stringCodesOf, type BatchView } from "./batch-view";
import { UNKNOWN } from "./compare-kernels";

/**
 * Predicates on dictionary codes. A dictionary-encoded string chunk (docs/format.md, "String
 * stream") decoded with `keepStringCodes` holds each distinct string once and a code per row, so a
 * predicate is evaluated once per distinct value into a truth table and each row costs one table
 * lookup: no string comparison, and no string built, per row.
 */

/**
 * The column's codes when evaluating on them pays: it has a dictionary no larger than the rows to
 * evaluate (a narrow selection over a wide dictionary is cheaper row by row).
 */
export function usableCodes(column: ShreddedColumn, selection: Uint32Array): StringCodes | undefined {
  const coded = stringCodesOf(column);
  return coded !== undefined && coded.dictionary.length <= selection.length ? coded : undefined;
}

/**
 * Truth per selected row from a truth per dictionary entry; rows that are not Value rows get
 * UNKNOWN (the caller settles objects, variants and overflow with `fixSlowRows`). Counts the rows
 * in the view's `rowsEvaluatedOnCodes`.
 */
export function truthFromCodes(view: BatchView, column: ShreddedColumn, coded: StringCodes, entryTruth: Uint8Array, selection: Uint32Array): Uint8Array {
  const n = selection.length;
  const out = new Uint8Array(n);
  const tags = column.tags;
  const codes = coded.codes;
  for (let j = 0; j < n; j++) {
    const row = selection[j]!;
    out[j] = tags[row] === Tag.Value ? entryTruth[codes[row]!]! : UNKNOWN;
  }
  view.counters.rowsEvaluatedOnCodes += n;
  return out;
}

/** A truth table over dictionary entries: `truth(entry)` once per distinct string. */
export function entryTruths(coded: StringCodes, truth: (entry: string) => number): Uint8Array {
  const entries = coded.dictionary;
  const out = new Uint8Array(entries.length);
  for (let k = 0; k < entries.length; k++) out[k] = truth(entries[k]!);
  return out;
}
