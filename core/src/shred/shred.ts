import { Tag, type JsonValue, type ShreddedBatch, type ShreddedColumn } from "../column";
import { EvoDBError } from "../errors";
import { MAX_JSON_DEPTH, setMember } from "../json";

/**
 * Documents -> columns (spec: docs/shredding.md). One pass over the documents with a tree of column
 * builders; every builder's arrays are allocated once at the batch size (the batch size is known up
 * front, so nothing ever grows), and scalar rows are written straight into typed arrays. The main
 * type of a path is only known at the end, so scalar rows are first tagged with a temporary kind code
 * and resolved per column by {@link finishColumn}; for the common single-type path that final step is
 * free.
 */

/** Options for {@link shred}. */
export interface ShredOptions {
  /**
   * Most columns (distinct paths, the root included) in one batch; default {@link DEFAULT_MAX_PATHS}.
   * Members at new paths beyond it are kept whole in their parent Object row's `overflow`, like
   * ClickHouse's `max_dynamic_paths` (same default).
   */
  maxPaths?: number;
}

/** Default cap on the distinct paths of one batch (ClickHouse's `max_dynamic_paths` default). */
export const DEFAULT_MAX_PATHS = 1024;

// Temporary per-row codes for scalars whose kind differs from the column's first scalar kind. They
// sit above the final Tag values (0..4) so one Uint8Array holds both until finishColumn resolves them.
const KIND_BOOL = 5;
const KIND_INT = 6;
const KIND_FLOAT = 7;
const KIND_STRING = 8;

class ColumnBuilder {
  readonly tags: Uint8Array;
  /** Children in order of first appearance; `index` of a child is its position here. */
  readonly children: ColumnBuilder[] = [];
  childByKey: Map<string, ColumnBuilder> | undefined;
  numbers: Float64Array | undefined;
  strings: string[] | undefined;
  bools: Uint8Array | undefined;
  variants: (JsonValue | undefined)[] | undefined;
  overflow: ({ [key: string]: JsonValue } | undefined)[] | undefined;
  /** Kind of the first scalar row; rows of that kind are tagged Value directly. 0 = none yet. */
  firstKind = 0;
  /** True once a scalar row of another kind was tagged with its temporary code. */
  mixed = false;
  boolCount = 0;
  intCount = 0;
  floatCount = 0;
  stringCount = 0;

  constructor(
    readonly path: readonly string[],
    readonly key: string,
    readonly index: number,
    readonly rowCount: number,
  ) {
    this.tags = new Uint8Array(rowCount);
  }
}

/**
 * Shreds `docs` into one dense column per path (see `ShreddedBatch` in column.ts and
 * docs/shredding.md). Arrays and integers beyond 2^53 - 1 (`bigint`) are Variant rows; a path's main
 * type is its most frequent scalar type, ints widened to float when both occur; other scalars at the
 * path are Variant rows. The root column (path `[]`) is always present. Members whose value is
 * `undefined` are treated as missing. The output holds references to arrays and overflowed values of
 * the input: do not mutate them afterwards.
 */
export function shred(docs: readonly JsonValue[], options: ShredOptions = {}): ShreddedBatch {
  const maxPaths = options.maxPaths ?? DEFAULT_MAX_PATHS;
  if (!Number.isInteger(maxPaths) || maxPaths < 1) {
    throw new EvoDBError("INVALID_ARGUMENT", `maxPaths must be an integer >= 1, got ${maxPaths}`);
  }
  const shredder = new Shredder(docs.length, maxPaths);
  for (let row = 0; row < docs.length; row++) {
    const doc = docs[row];
    if (doc === undefined) throw new EvoDBError("INVALID_ARGUMENT", `Document ${row} is undefined; every row must be a JSON value`);
    shredder.shredValue(shredder.root, doc, row);
  }
  const columns: ShreddedColumn[] = new Array(shredder.builders.length);
  for (let i = 0; i < columns.length; i++) columns[i] = finishColumn(shredder.builders[i]!);
  return { rowCount: docs.length, columns };
}

class Shredder {
  readonly root: ColumnBuilder;
  /** Every builder in creation order, which puts parents before their children. */
  readonly builders: ColumnBuilder[];

  constructor(
    readonly rowCount: number,
    readonly maxPaths: number,
  ) {
    this.root = new ColumnBuilder([], "", 0, rowCount);
    this.builders = [this.root];
  }

  shredValue(builder: ColumnBuilder, value: JsonValue, row: number): void {
    switch (typeof value) {
      case "number":
        // Int: safe integer and not -0 (column.ts: an int column never holds -0).
        if (Number.isSafeInteger(value) && (value !== 0 || 1 / value > 0)) {
          setScalar(builder, row, KIND_INT);
          builder.intCount++;
        } else {
          setScalar(builder, row, KIND_FLOAT);
          builder.floatCount++;
        }
        (builder.numbers ??= new Float64Array(this.rowCount))[row] = value;
        return;
      case "string":
        setScalar(builder, row, KIND_STRING);
        builder.stringCount++;
        (builder.strings ??= newFilledArray(this.rowCount, ""))[row] = value;
        return;
      case "boolean":
        setScalar(builder, row, KIND_BOOL);
        builder.boolCount++;
        (builder.bools ??= new Uint8Array(this.rowCount))[row] = value ? 1 : 0;
        return;
      case "object":
        if (value === null) builder.tags[row] = Tag.Null;
        else if (Array.isArray(value)) setVariant(builder, row, value);
        else {
          builder.tags[row] = Tag.Object;
          this.shredMembers(builder, value, row);
        }
        return;
      case "bigint":
        setVariant(builder, row, value);
        return;
      default:
        throw new EvoDBError("INVALID_ARGUMENT", `Row ${row} holds a ${typeof value} at path ${JSON.stringify(builder.path)}; documents must be JSON values`);
    }
  }

  private shredMembers(builder: ColumnBuilder, object: { [key: string]: JsonValue }, row: number): void {
    const children = builder.children;
    // Documents of one batch usually list their keys in the same order, so the next child in
    // first-appearance order is tried before the map lookup.
    let next = 0;
    // for-in over own enumerable keys: JSON objects inherit nothing enumerable, and it avoids the
    // per-object array that Object.keys would allocate.
    for (const key in object) {
      const value = object[key];
      if (value === undefined) continue;
      let child = children[next];
      if (child === undefined || child.key !== key) {
        child = builder.childByKey?.get(key);
        if (child === undefined) {
          if (this.builders.length >= this.maxPaths) {
            addOverflow(builder, row, key, value);
            continue;
          }
          child = this.addChild(builder, key);
        }
      }
      next = child.index + 1;
      this.shredValue(child, value, row);
    }
  }

  private addChild(parent: ColumnBuilder, key: string): ColumnBuilder {
    // Recursion follows columns, so bounding column depth bounds the stack (maxPaths may be large).
    if (parent.path.length >= MAX_JSON_DEPTH) {
      throw new EvoDBError("LIMIT_EXCEEDED", `A document nests objects deeper than ${MAX_JSON_DEPTH} levels; flatten it or store that part as a string`, {
        details: { maxDepth: MAX_JSON_DEPTH },
      });
    }
    const child = new ColumnBuilder([...parent.path, key], key, parent.children.length, this.rowCount);
    parent.children.push(child);
    (parent.childByKey ??= new Map()).set(key, child);
    this.builders.push(child);
    return child;
  }
}

function setScalar(builder: ColumnBuilder, row: number, kind: number): void {
  if (builder.firstKind === 0) builder.firstKind = kind;
  if (kind === builder.firstKind) {
    builder.tags[row] = Tag.Value;
  } else {
    builder.tags[row] = kind;
    builder.mixed = true;
  }
}

function setVariant(builder: ColumnBuilder, row: number, value: JsonValue): void {
  builder.tags[row] = Tag.Variant;
  (builder.variants ??= newFilledArray<JsonValue | undefined>(builder.rowCount, undefined))[row] = value;
}

function addOverflow(builder: ColumnBuilder, row: number, key: string, value: JsonValue): void {
  const overflow = (builder.overflow ??= newFilledArray<{ [key: string]: JsonValue } | undefined>(builder.rowCount, undefined));
  setMember((overflow[row] ??= {}), key, value);
}

/** A packed (non-holey) array of `length` copies of `fill`. */
function newFilledArray<T>(length: number, fill: T): T[] {
  return new Array<T>(length).fill(fill);
}

/** Picks the main type and turns temporary kind codes into Value or Variant rows. */
function finishColumn(builder: ColumnBuilder): ShreddedColumn {
  const numberCount = builder.intCount + builder.floatCount;
  let mainKind = 0;
  // Most frequent scalar family; ties go to number, then string, then bool (deterministic).
  if (numberCount > 0 && numberCount >= builder.stringCount && numberCount >= builder.boolCount) {
    mainKind = builder.floatCount > 0 ? KIND_FLOAT : KIND_INT;
  } else if (builder.stringCount > 0 && builder.stringCount >= builder.boolCount) {
    mainKind = KIND_STRING;
  } else if (builder.boolCount > 0) {
    mainKind = KIND_BOOL;
  }
  const firstIsMain = builder.firstKind === mainKind || (builder.firstKind === KIND_INT && mainKind === KIND_FLOAT);
  if (builder.mixed || !firstIsMain) resolveKinds(builder, mainKind);

  const { path, tags } = builder;
  const extra: { variants?: (JsonValue | undefined)[]; overflow?: ({ [key: string]: JsonValue } | undefined)[] } = {};
  if (builder.variants !== undefined) extra.variants = builder.variants;
  if (builder.overflow !== undefined) extra.overflow = builder.overflow;
  switch (mainKind) {
    case KIND_INT:
      return { path, tags, type: "int", values: builder.numbers!, ...extra };
    case KIND_FLOAT:
      return { path, tags, type: "float", values: builder.numbers!, ...extra };
    case KIND_STRING:
      return { path, tags, type: "string", values: builder.strings!, ...extra };
    case KIND_BOOL:
      return { path, tags, type: "bool", values: builder.bools!, ...extra };
    default:
      return { path, tags, type: "none", ...extra };
  }
}

function resolveKinds(builder: ColumnBuilder, mainKind: number): void {
  const { tags, firstKind } = builder;
  for (let row = 0; row < tags.length; row++) {
    const tag = tags[row]!;
    let kind: number;
    if (tag === Tag.Value) kind = firstKind;
    else if (tag >= KIND_BOOL) kind = tag;
    else continue;
    if (kind === mainKind || (kind === KIND_INT && mainKind === KIND_FLOAT)) {
      tags[row] = Tag.Value;
      continue;
    }
    // A scalar of a minor type: move it to the variants and clear its typed slot (column.ts: slots
    // that are not Value hold 0 / "").
    let value: JsonValue;
    if (kind === KIND_STRING) {
      value = builder.strings![row]!;
      builder.strings![row] = "";
    } else if (kind === KIND_BOOL) {
      value = builder.bools![row] === 1;
      builder.bools![row] = 0;
    } else {
      value = builder.numbers![row]!;
      builder.numbers![row] = 0;
    }
    setVariant(builder, row, value);
  }
}

