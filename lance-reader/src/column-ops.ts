/** Row selection and concatenation of decoded columns (typed-array copies, no per-row objects). */
import { check } from "./errors";
import type { BinaryColumn, Column, FixedArray, FixedColumn } from "./column";

type TypedCtor = { new (n: number): FixedArray };

function ctorOf(values: FixedArray): TypedCtor {
  return values.constructor as TypedCtor;
}

/** The rows of `column` at `rows` (in that order). */
export function gather(column: Column, rows: Uint32Array): Column {
  const n = rows.length;
  let validity: Uint8Array | null = null;
  if (column.validity) {
    validity = new Uint8Array(n);
    for (let i = 0; i < n; i++) validity[i] = column.validity[rows[i]!]!;
  }
  if (column.kind === "binary") {
    const offsets = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + column.offsets[rows[i]! + 1]! - column.offsets[rows[i]!]!;
    const bytes = new Uint8Array(offsets[n]!);
    for (let i = 0; i < n; i++) bytes.set(column.bytes.subarray(column.offsets[rows[i]!], column.offsets[rows[i]! + 1]), offsets[i]!);
    return { ...column, length: n, validity, offsets, bytes };
  }
  const d = column.dimension;
  const values = new (ctorOf(column.values))(n * d);
  if (d === 1) for (let i = 0; i < n; i++) (values as Float64Array)[i] = (column.values as Float64Array)[rows[i]!]!;
  else for (let i = 0; i < n; i++) (values as Float64Array).set((column.values as Float64Array).subarray(rows[i]! * d, rows[i]! * d + d), i * d);
  return { ...column, length: n, validity, values };
}

/** Concatenates columns of the same field (fragments). */
export function concatColumns(parts: Column[]): Column {
  check(parts.length > 0, "no columns to concatenate");
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  let length = 0;
  for (const p of parts) length += p.length;
  let validity: Uint8Array | null = null;
  if (parts.some((p) => p.validity)) {
    validity = new Uint8Array(length).fill(1);
    let at = 0;
    for (const p of parts) {
      if (p.validity) validity.set(p.validity, at);
      at += p.length;
    }
  }
  if (first.kind === "binary") {
    const cols = parts as BinaryColumn[];
    let total = 0;
    for (const c of cols) total += c.offsets[c.length]! - c.offsets[0]!;
    const bytes = new Uint8Array(total);
    const offsets = new Uint32Array(length + 1);
    let row = 0;
    let at = 0;
    for (const c of cols) {
      const base = c.offsets[0]!;
      bytes.set(c.bytes.subarray(base, c.offsets[c.length]), at);
      for (let i = 1; i <= c.length; i++) offsets[row + i] = at + c.offsets[i]! - base;
      row += c.length;
      at += c.offsets[c.length]! - base;
    }
    return { ...first, length, validity, offsets, bytes };
  }
  const cols = parts as FixedColumn[];
  const values = new (ctorOf(first.values))(length * first.dimension);
  let at = 0;
  for (const c of cols) {
    (values as Float64Array).set(c.values as Float64Array, at);
    at += c.values.length;
  }
  return { ...first, length, validity, values };
}
