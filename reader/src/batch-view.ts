import { Tag, type DecodedColumn, type JsonValue, type ShreddedBatch, type ShreddedColumn } from "@evodb/core";
import { pathKey } from "./query-types";

/** Counters of the work done on a batch, summed into the scan's stats. */
export interface EvalCounters {
  /** Rows whose predicate was answered from dictionary codes (one evaluation per distinct value). */
  rowsEvaluatedOnCodes: number;
}

/** The dictionary codes of a column decoded with `keepStringCodes`, if it has them. */
export function stringCodesOf(column: ShreddedColumn): DecodedColumn["dictionary"] {
  return (column as DecodedColumn).dictionary;
}

/**
 * Path lookup over one {@link ShreddedBatch}: the columns by path, their children, and the per-row
 * value of any path (the slow path, used for variants, objects, overflowed members and output).
 *
 * Value at a path, per row: `undefined` when the path is missing, `null` for JSON null, otherwise
 * the JSON value. Paths never descend into arrays (an array is a value; `a.b` of an array is missing).
 */
export class BatchView {
  readonly rowCount: number;
  private readonly byPath = new Map<string, ShreddedColumn>();
  private childrenByParent: Map<string, ShreddedColumn[]> | undefined;
  /** True when some column carries overflowed members, so a missing tag may not mean missing. */
  readonly hasOverflow: boolean;

  /**
   * @param counters where kernels count their work (e.g. a scan's stats); a private counter when omitted.
   */
  constructor(
    readonly batch: ShreddedBatch,
    readonly counters: EvalCounters = { rowsEvaluatedOnCodes: 0 },
  ) {
    this.rowCount = batch.rowCount;
    let overflow = false;
    for (const column of batch.columns) {
      this.byPath.set(pathKey(column.path), column);
      if (column.overflow !== undefined) overflow = true;
    }
    this.hasOverflow = overflow;
  }

  /** The column holding exactly this path, if the batch has one. */
  column(path: readonly string[]): ShreddedColumn | undefined {
    return this.byPath.get(pathKey(path));
  }

  /** Direct child columns of a path, in batch order (parents come before children in a batch). */
  children(path: readonly string[]): readonly ShreddedColumn[] {
    if (this.childrenByParent === undefined) {
      const index = new Map<string, ShreddedColumn[]>();
      for (const column of this.batch.columns) {
        if (column.path.length === 0) continue;
        const parent = pathKey(column.path.slice(0, -1));
        let list = index.get(parent);
        if (list === undefined) index.set(parent, (list = []));
        list.push(column);
      }
      this.childrenByParent = index;
    }
    return this.childrenByParent.get(pathKey(path)) ?? [];
  }

  /** The JSON value at `path` for one row; `undefined` when missing. */
  valueAt(path: readonly string[], row: number): JsonValue | undefined {
    const column = this.column(path);
    if (column !== undefined) {
      const tag = column.tags[row];
      if (tag !== Tag.Missing) return columnValue(this, column, row);
    } else if (path.length === 0) {
      // A batch need not store a root column: the document is the object of its top-level paths.
      return this.assembleObject(path, undefined, row);
    }
    if (path.length === 0 || !this.hasOverflow) return undefined;
    // A member that overflowed the path cap lives in an ancestor's overflow map, not in a column.
    const parent = this.valueAt(path.slice(0, -1), row);
    if (parent === null || typeof parent !== "object" || Array.isArray(parent)) return undefined;
    const key = path[path.length - 1]!;
    return Object.prototype.hasOwnProperty.call(parent, key) ? (parent as Record<string, JsonValue>)[key] : undefined;
  }

  /** Rebuilds the object at an Object-tagged path from its child columns and overflow. */
  assembleObject(path: readonly string[], column: ShreddedColumn | undefined, row: number): JsonValue {
    const out: { [key: string]: JsonValue } = {};
    for (const child of this.children(path)) {
      if (child.tags[row] === Tag.Missing) continue;
      setOwn(out, child.path[child.path.length - 1]!, columnValue(this, child, row));
    }
    const extra = column?.overflow?.[row];
    if (extra !== undefined) for (const key of Object.keys(extra)) setOwn(out, key, extra[key]!);
    return out;
  }
}

/** Defines a member even when the key is `__proto__`, which plain assignment would not create. */
function setOwn(target: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** The JSON value of a present (non-Missing) row of a column. */
function columnValue(view: BatchView, column: ShreddedColumn, row: number): JsonValue {
  switch (column.tags[row]) {
    case Tag.Null:
      return null;
    case Tag.Object:
      return view.assembleObject(column.path, column, row);
    case Tag.Variant:
      return column.variants![row]!;
    default:
      switch (column.type) {
        case "bool":
          return column.values[row] === 1;
        case "int":
        case "float":
          return column.values[row]!;
        case "string": {
          // A coded column builds its values only if asked for all of them; one row needs one lookup.
          const coded = stringCodesOf(column);
          return coded === undefined ? column.values[row]! : coded.dictionary[coded.codes[row]!]!;
        }
        default:
          return null;
      }
  }
}
