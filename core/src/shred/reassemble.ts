import { Tag, type JsonValue, type ShreddedBatch, type ShreddedColumn } from "../column";
import { EvoDBError } from "../errors";
import { setMember } from "../json";
import { pathToName } from "./path";

/**
 * Columns -> documents (spec: docs/shredding.md, "Reassembly" and "Projection"). The columns are
 * linked into a tree once; each row is then rebuilt by walking that tree. A projection walks only the
 * columns on the way to the requested paths and the subtrees below them.
 */

/** Options for {@link reassemble}. */
export interface ReassembleOptions {
  /**
   * Rebuild only these paths (each with its whole subtree). A row becomes an object holding the
   * requested paths it has, with their ancestors; an ancestor is kept only if it holds something
   * requested, and a row holding none of them is `{}`. `[[]]` (the root) means whole documents.
   */
  paths?: readonly (readonly string[])[];
}

type JsonObject = { [key: string]: JsonValue };

/**
 * One column linked into the tree, with its arrays hoisted into fields of one shape so the per-row
 * loop reads them monomorphically instead of switching on the column type for every value.
 */
interface ReadNode {
  readonly column: ShreddedColumn;
  readonly tags: Uint8Array;
  /** The `values` of an int or float column. */
  readonly numbers: Float64Array | undefined;
  /** The `values` of a string column. */
  readonly strings: string[] | undefined;
  /** The `values` of a bool column. */
  readonly bools: Uint8Array | undefined;
  readonly variants: (JsonValue | undefined)[] | undefined;
  readonly overflow: ({ [key: string]: JsonValue } | undefined)[] | undefined;
  readonly key: string;
  /** `key === "__proto__"`, which needs {@link setMember}; every other key is assigned directly. */
  readonly isProtoKey: boolean;
  readonly children: ReadNode[];
  readonly childByKey: Map<string, ReadNode>;
}

/** A requested-path trie: `selected` means the whole subtree at this point is wanted. */
interface Selection {
  selected: boolean;
  readonly children: Map<string, Selection>;
}

interface ProjectedNode {
  readonly node: ReadNode;
  readonly full: boolean;
  readonly children: ProjectedNode[];
  /** Requested members with no column of their own: looked up in this column's `overflow`. */
  readonly overflowSelections: [string, Selection][];
}

/**
 * Rebuilds the documents of `batch`, or only the requested `paths` of them (see
 * {@link ReassembleOptions}). Object key order follows column order, then overflow members; it can
 * differ from the original documents. Variant and overflow values are returned by reference, not
 * copied. Throws `EvoDBError("INVALID_ARGUMENT")` when the columns do not form a tree rooted at `[]`
 * (a column whose parent path is absent) or disagree with `rowCount`.
 */
export function reassemble(batch: ShreddedBatch, options: ReassembleOptions = {}): JsonValue[] {
  const rowCount = batch.rowCount;
  const docs: JsonValue[] = new Array(rowCount);
  if (rowCount === 0) return docs;
  const root = linkColumns(batch);
  if (options.paths === undefined) {
    for (let row = 0; row < rowCount; row++) {
      const doc = readFull(root, row);
      if (doc === undefined) throw corruptRow(root.column, row, "the root of a document is Missing");
      docs[row] = doc;
    }
    return docs;
  }
  const projected = planProjection(root, selectionOf(options.paths));
  for (let row = 0; row < rowCount; row++) docs[row] = readProjected(projected, row) ?? {};
  return docs;
}

function linkColumns(batch: ShreddedBatch): ReadNode {
  const byName = new Map<string, ReadNode>();
  let root: ReadNode | undefined;
  for (const column of batch.columns) {
    if (column.tags.length !== batch.rowCount) {
      throw invalidBatch(`column ${JSON.stringify(pathToName(column.path))} has ${column.tags.length} rows, the batch ${batch.rowCount}`);
    }
    const path = column.path;
    const key = path[path.length - 1] ?? "";
    const node: ReadNode = {
      column,
      tags: column.tags,
      numbers: column.type === "int" || column.type === "float" ? column.values : undefined,
      strings: column.type === "string" ? column.values : undefined,
      bools: column.type === "bool" ? column.values : undefined,
      variants: column.variants,
      overflow: column.overflow,
      key,
      isProtoKey: key === "__proto__",
      children: [],
      childByKey: new Map(),
    };
    if (path.length === 0) {
      root = node;
    } else {
      const parent = byName.get(pathToName(path.slice(0, -1)));
      if (parent === undefined) throw invalidBatch(`column ${JSON.stringify(pathToName(path))} comes before or without its parent column`);
      parent.children.push(node);
      parent.childByKey.set(node.key, node);
    }
    byName.set(pathToName(path), node);
  }
  if (root === undefined) throw invalidBatch("it has no root column (path [])");
  return root;
}

function invalidBatch(reason: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", `Cannot reassemble the batch: ${reason}. Decode every ancestor column of the requested paths.`);
}

function readFull(node: ReadNode, row: number): JsonValue | undefined {
  switch (node.tags[row]) {
    case Tag.Missing:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.Value:
      if (node.numbers !== undefined) return node.numbers[row]!;
      if (node.strings !== undefined) return node.strings[row]!;
      if (node.bools !== undefined) return node.bools[row] === 1;
      throw corruptRow(node.column, row, "a Value row in a column of type none");
    case Tag.Object: {
      const object: JsonObject = {};
      const children = node.children;
      for (let i = 0; i < children.length; i++) {
        const child = children[i]!;
        const value = readFull(child, row);
        if (value === undefined) continue;
        if (child.isProtoKey) setMember(object, child.key, value);
        else object[child.key] = value;
      }
      const overflow = node.overflow?.[row];
      if (overflow !== undefined) for (const key in overflow) setMember(object, key, overflow[key]!);
      return object;
    }
    case Tag.Variant: {
      const value = node.variants?.[row];
      if (value === undefined) throw corruptRow(node.column, row, "a Variant row without a variant value");
      return value;
    }
    default:
      throw corruptRow(node.column, row, `unknown tag ${node.tags[row]}`);
  }
}

function corruptRow(column: ShreddedColumn, row: number, what: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", `Column ${JSON.stringify(pathToName(column.path))} row ${row}: ${what}`);
}

function selectionOf(paths: readonly (readonly string[])[]): Selection {
  const root: Selection = { selected: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const key of path) {
      let child = node.children.get(key);
      if (child === undefined) node.children.set(key, (child = { selected: false, children: new Map() }));
      node = child;
    }
    node.selected = true;
  }
  return root;
}

function planProjection(node: ReadNode, selection: Selection): ProjectedNode {
  const projected: ProjectedNode = { node, full: selection.selected, children: [], overflowSelections: [] };
  if (selection.selected) return projected;
  for (const [key, childSelection] of selection.children) {
    const child = node.childByKey.get(key);
    if (child !== undefined) projected.children.push(planProjection(child, childSelection));
    else projected.overflowSelections.push([key, childSelection]);
  }
  return projected;
}

function readProjected(projected: ProjectedNode, row: number): JsonValue | undefined {
  const node = projected.node;
  if (projected.full) return readFull(node, row);
  if (node.tags[row] !== Tag.Object) return undefined;
  let object: JsonObject | undefined;
  const children = projected.children;
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    const value = readProjected(child, row);
    if (value !== undefined) setMember((object ??= {}), child.node.key, value);
  }
  const overflow = projected.overflowSelections.length > 0 ? node.overflow?.[row] : undefined;
  if (overflow !== undefined) {
    for (const [key, selection] of projected.overflowSelections) {
      if (!Object.prototype.hasOwnProperty.call(overflow, key)) continue;
      const value = pruneValue(overflow[key]!, selection);
      if (value !== undefined) setMember((object ??= {}), key, value);
    }
  }
  return object;
}

/** The same projection as {@link readProjected}, on a plain JSON value (members kept in overflow). */
function pruneValue(value: JsonValue, selection: Selection): JsonValue | undefined {
  if (selection.selected) return value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  let object: JsonObject | undefined;
  for (const [key, childSelection] of selection.children) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const member = pruneValue(value[key]!, childSelection);
    if (member !== undefined) setMember((object ??= {}), key, member);
  }
  return object;
}
