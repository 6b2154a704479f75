/**
 * The in-memory columnar shape shared by shredding (documents -> columns), the block format
 * (columns -> bytes -> columns) and the query engines (predicates over columns). It is the contract
 * between those modules: change it only together with docs/format.md.
 *
 * A batch of N documents becomes one {@link ShreddedColumn} per path that occurs in it. Every
 * column is *dense*: its arrays have exactly N slots, one per row, so row i of every column
 * describes document i and predicates can run over aligned typed arrays. What a row holds at a path
 * is given by its tag:
 *
 * | tag       | meaning at this path for this row                                        |
 * | --------- | ------------------------------------------------------------------------ |
 * | Missing   | the path does not exist in the document                                  |
 * | Null      | JSON `null`                                                              |
 * | Value     | a value of the column's main type, in `values[i]`                        |
 * | Object    | an object; its members are in the child columns (none present = `{}`)   |
 * | Variant   | any other value (another type, an array, ...), in `variants[i]`          |
 *
 * Slots whose tag is not `Value` hold 0 / "" in `values`; slots whose tag is not `Variant` hold
 * `undefined` in `variants`. Encoders skip those slots, so they cost nothing on disk.
 */

/** Per-row state of one path; see the table above. Stored as one byte per row in {@link ShreddedColumn.tags}. */
export const Tag = {
  Missing: 0,
  Null: 1,
  Value: 2,
  Object: 3,
  Variant: 4,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

/**
 * Main type of a column's `values`.
 * - `none`: the path never holds a typed scalar (only objects, nulls or variants); `values` is empty.
 * - `bool`: `Uint8Array` of 0/1.
 * - `int`: `Float64Array` of exact integers in the safe range (|v| <= 2^53 - 1, never -0).
 * - `float`: `Float64Array` of any float64 (including -0, NaN is never produced from JSON).
 * - `string`: `string[]`.
 * Integers beyond the safe range (JS `bigint` in documents) are never rounded: they are Variant rows.
 */
export type ColumnType = "none" | "bool" | "int" | "float" | "string";

/** A JSON value as EvoDB sees it: like JSON, plus `bigint` for integers outside the safe range. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

export type ColumnValues =
  | { type: "none" }
  | { type: "bool"; values: Uint8Array }
  | { type: "int"; values: Float64Array }
  | { type: "float"; values: Float64Array }
  | { type: "string"; values: string[] };

/** One path of a batch of documents; dense, `tags.length === rowCount`. */
export type ShreddedColumn = ColumnValues & {
  /** Object keys from the root; `[]` is the document itself. Keys may contain any character. */
  readonly path: readonly string[];
  readonly tags: Uint8Array;
  /** Values of Variant rows (dense, `undefined` elsewhere); absent when the column has no Variant row. */
  readonly variants?: (JsonValue | undefined)[];
  /**
   * For Object rows: members that were not shredded into child columns because the batch hit its
   * cap on distinct paths (ClickHouse-style overflow), keyed by member name. Dense, `undefined`
   * elsewhere; absent when nothing overflowed. Reassembly merges them back.
   */
  readonly overflow?: ({ [key: string]: JsonValue } | undefined)[];
};

/**
 * A batch of documents in columnar form, in path order of first appearance (parents before children).
 * `shred` always emits the root column (path `[]`) first, also for an empty batch, and at most
 * `maxPaths` columns (default 1024; beyond it members go to the parent's `overflow`). `reassemble`
 * needs the root and every ancestor of the columns it reads. Spec: docs/shredding.md.
 */
export interface ShreddedBatch {
  readonly rowCount: number;
  readonly columns: ShreddedColumn[];
}
