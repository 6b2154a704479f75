import { Tag, type JsonValue, type ShreddedBatch, type ShreddedColumn } from "@evodb/core";

/**
 * Hand-built batches for evaluator tests. They follow core/src/column.ts exactly, so the tests pin
 * the evaluator to the contract (variants, overflow, objects) independently of the shredder.
 * A cell is `undefined` (Missing), `null` (Null), `{}` marker via OBJ (Object) or a value; values
 * of another type than the column's become Variant rows.
 */
export const OBJ = Symbol("object");
export type Cell = JsonValue | undefined | typeof OBJ;

export function col(path: string[], type: "none" | "bool" | "int" | "float" | "string", cells: Cell[]): ShreddedColumn {
  const n = cells.length;
  const tags = new Uint8Array(n);
  let variants: (JsonValue | undefined)[] | undefined;
  const nums = new Float64Array(n);
  const bools = new Uint8Array(n);
  const strs: string[] = new Array(n).fill("");
  cells.forEach((cell, i) => {
    if (cell === undefined) tags[i] = Tag.Missing;
    else if (cell === null) tags[i] = Tag.Null;
    else if (cell === OBJ) tags[i] = Tag.Object;
    else if ((type === "int" || type === "float") && typeof cell === "number") {
      tags[i] = Tag.Value;
      nums[i] = cell;
    } else if (type === "string" && typeof cell === "string") {
      tags[i] = Tag.Value;
      strs[i] = cell;
    } else if (type === "bool" && typeof cell === "boolean") {
      tags[i] = Tag.Value;
      bools[i] = cell ? 1 : 0;
    } else {
      tags[i] = Tag.Variant;
      (variants ??= new Array(n).fill(undefined))[i] = cell;
    }
  });
  const base = { path, tags, ...(variants ? { variants } : {}) };
  switch (type) {
    case "int":
    case "float":
      return { ...base, type, values: nums };
    case "string":
      return { ...base, type, values: strs };
    case "bool":
      return { ...base, type, values: bools };
    default:
      return { ...base, type: "none" };
  }
}

export function batch(rowCount: number, ...columns: ShreddedColumn[]): ShreddedBatch {
  return { rowCount, columns: [col([], "none", new Array(rowCount).fill(OBJ)), ...columns] };
}
