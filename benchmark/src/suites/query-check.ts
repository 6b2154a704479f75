/**
 * The answer check of the query section: before a query is timed, EvoDB's rows and the hyparquet
 * baseline's rows must equal DuckDB's, or the section stops with the first difference. A benchmark
 * of wrong answers is worthless, and so is a baseline that computes something else.
 */
import { EvoDBError } from "@evodb/core";

/** Relative tolerance for floats: sums and averages depend on the order of additions. */
const FLOAT_TOLERANCE = 1e-9;

/** A value in comparable form: bigint as number, -0 as 0, undefined as null. */
function plain(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number" && value === 0) return 0;
  return value;
}

function sameValue(a: unknown, b: unknown): boolean {
  const x = plain(a);
  const y = plain(b);
  if (typeof x === "number" && typeof y === "number") {
    return x === y || Math.abs(x - y) <= FLOAT_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
  }
  return x === y;
}

/** Sort key of a row, for queries whose row order is not defined (no ORDER BY). */
function rowKey(row: readonly unknown[]): string {
  return JSON.stringify(row.map(plain));
}

/**
 * Throws `INTERNAL` naming the query and the first differing row unless `actual` equals
 * `expected`; rows are compared in order when `ordered`, else as multisets.
 */
export function checkSameRows(query: string, engine: string, actual: readonly (readonly unknown[])[], expected: readonly (readonly unknown[])[], ordered: boolean): void {
  const a = ordered ? actual : [...actual].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : 1));
  const e = ordered ? expected : [...expected].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : 1));
  const fail = (detail: string): never => {
    throw new EvoDBError("INTERNAL", `Query "${query}": ${engine} returned a different answer than DuckDB (${detail}); the benchmark does not time wrong answers.`);
  };
  if (a.length !== e.length) fail(`${a.length} rows instead of ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    const row = a[i]!;
    const want = e[i]!;
    if (row.length !== want.length || row.some((value, k) => !sameValue(value, want[k]))) {
      fail(`row ${i}: ${rowKey(row)} instead of ${rowKey(want)}`);
    }
  }
}

/** EvoDB result rows (objects keyed by output column) as arrays in column order. */
export function rowsAsArrays(columns: readonly string[], rows: readonly Record<string, unknown>[]): unknown[][] {
  return rows.map((row) => columns.map((column) => row[column]));
}
