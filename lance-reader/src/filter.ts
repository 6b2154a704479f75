/**
 * A simple scan filter: comparisons of one column with a constant, combined with AND. Evaluated
 * on decoded columns into a row mask; null never matches a comparison (SQL semantics).
 */
import { EvoDBError } from "@evodb/core";
import type { Column } from "./column";
import { utf8 } from "./protobuf";

/** One condition on a column. */
export type Condition =
  | { column: string; op: "=" | "!=" | "<" | "<=" | ">" | ">="; value: number | bigint | string | boolean }
  | { column: string; op: "in"; values: (number | bigint | string | boolean)[] }
  | { column: string; op: "is_null" | "is_not_null" };

/** A filter: one condition or several that must all hold. */
export type Filter = Condition | Condition[];

/** The conditions of a filter as a list. */
export function conditions(filter: Filter | undefined): Condition[] {
  return filter === undefined ? [] : Array.isArray(filter) ? filter : [filter];
}

function compare(a: number | bigint | string | boolean, b: number | bigint | string | boolean): number {
  if (typeof a === "string" || typeof b === "string") {
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "bigint" || typeof b === "bigint") {
    if (typeof a === "number" && !Number.isInteger(a)) return a < Number(b) ? -1 : a > Number(b) ? 1 : 0;
    if (typeof b === "number" && !Number.isInteger(b)) return Number(a) < b ? -1 : Number(a) > b ? 1 : 0;
    const x = BigInt(a as number | bigint);
    const y = BigInt(b as number | bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function cell(column: Column, i: number): number | bigint | string | boolean {
  if (column.kind === "binary") return utf8.decode(column.bytes.subarray(column.offsets[i], column.offsets[i + 1]));
  if (column.dimension !== 1) throw new EvoDBError("INVALID_ARGUMENT", "filters on fixed-size-list columns are not supported; filter on a scalar column");
  const v = column.values[i]!;
  return column.type.kind === "bool" ? v === 1 : v;
}

/** ANDs `condition` into `mask` (1 = row kept). */
export function applyCondition(condition: Condition, column: Column, mask: Uint8Array): void {
  const n = column.length;
  const valid = column.validity;
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0) continue;
    const isNull = valid !== null && valid[i] === 0;
    let keep: boolean;
    if (condition.op === "is_null") keep = isNull;
    else if (condition.op === "is_not_null") keep = !isNull;
    else if (isNull) keep = false;
    else if (condition.op === "in") {
      const v = cell(column, i);
      keep = condition.values.some((x) => compare(v, x) === 0);
    } else if ("value" in condition) {
      const c = compare(cell(column, i), condition.value);
      switch (condition.op) {
        case "=": keep = c === 0; break;
        case "!=": keep = c !== 0; break;
        case "<": keep = c < 0; break;
        case "<=": keep = c <= 0; break;
        case ">": keep = c > 0; break;
        default: keep = c >= 0;
      }
    } else keep = false;
    if (!keep) mask[i] = 0;
  }
}
