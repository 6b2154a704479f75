/**
 * Schema types (spec: docs/schema.md). A schema lists one field per path, each with a stable id:
 * ids are never reused, a field keeps its id across versions, and a rename changes the path of an id,
 * so data written under the old path is still found by id.
 */

/** Version of the schema JSON format ({@link Schema.formatVersion}); readers refuse others. */
export const SCHEMA_FORMAT_VERSION = 1;

/**
 * Type of a field. `int` is any integer (including `bigint` beyond 2^53); `float` any number;
 * `array` any array (elements untyped: arrays are stored whole); `null` a path that only held nulls
 * so far; `variant` a path that held values of incompatible types: the ones in `variantTypes`, or
 * anything when that list is absent.
 */
export type FieldType = "null" | "bool" | "int" | "float" | "string" | "array" | "object" | "variant";

/** One path of a schema. */
export interface SchemaField {
  /** Stable id: unique in the schema, kept across versions, never reused. */
  readonly id: number;
  /** Object keys from the root; `[]` is the document itself (always field present in inferred schemas). */
  readonly path: readonly string[];
  readonly type: FieldType;
  /**
   * For a `variant` only: the member types it allows, in the order of `MEMBER_TYPES` (bool, int,
   * float, string, array, object; never int next to float), at least two. Absent: any value.
   */
  readonly variantTypes?: readonly FieldType[];
  /** `null` is allowed (seen). */
  readonly nullable: boolean;
  /** Present in every document in which its parent is an object (the root: in every document). */
  readonly required: boolean;
}

/** A versioned schema. Fields are ordered parents before children. */
export interface Schema {
  /** Always {@link SCHEMA_FORMAT_VERSION} for this build. */
  readonly formatVersion: 1;
  /** Schema version of the table: 1 for the first, +1 for every change. */
  readonly version: number;
  /** Locked: documents must satisfy the schema (`assertValid`); flexible: the schema widens. */
  readonly locked: boolean;
  /** The id the next new field gets; greater than every id ever used. */
  readonly nextFieldId: number;
  readonly fields: readonly SchemaField[];
}

/** One way a document breaks a schema. */
export interface SchemaViolation {
  /** Where, as object keys from the root. */
  readonly path: readonly string[];
  /** What the schema allows there, e.g. `"int"`, `"string or null"`, `"no field"`. */
  readonly expected: string;
  /** What the document has: a type name, `"null"` or `"missing"`. */
  readonly actual: string;
}

/** Kind of one difference between two schema versions. */
export type SchemaChangeKind = "added" | "removed" | "widened" | "narrowed" | "renamed";

/** Overall class of a schema change, from least to most disruptive. */
export type SchemaChangeClass = "none" | "additive" | "widening" | "breaking";

/** One difference between two schema versions, about one field id. */
export interface SchemaChange {
  readonly kind: SchemaChangeKind;
  readonly fieldId: number;
  /** Path in the newer schema (the older one for `removed`). */
  readonly path: readonly string[];
  /** For `renamed`: the path in the older schema. */
  readonly fromPath?: readonly string[];
  /** For `widened` / `narrowed`: the field before and after. */
  readonly from?: FieldShape;
  readonly to?: FieldShape;
  /** True when this change alone makes the whole change breaking. */
  readonly breaking: boolean;
}

/** Type-related properties of a field, as compared by `diffSchemas`. */
export interface FieldShape {
  readonly type: FieldType;
  readonly variantTypes?: readonly FieldType[];
  readonly nullable: boolean;
  readonly required: boolean;
}

/** Result of `diffSchemas`. */
export interface SchemaDiff {
  readonly changes: SchemaChange[];
  readonly classification: SchemaChangeClass;
}
