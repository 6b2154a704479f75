import { bloomMightContain, type BlockFooter, type BloomFilter } from "@evodb/core";
import type { DataFile, PartitionSpec } from "@evodb/lakehouse";
import { pathKey, type Expr, type Literal } from "../query-types";
import type { ZoneLookup, ZoneStats } from "../zone-map";

/**
 * Adapters from what the lakehouse and the block format record to the {@link ZoneLookup} the
 * pruner reads: partition values, snapshot column statistics (no I/O) and block footers (one
 * suffix read per block, cached).
 */

/**
 * Block string bounds are in UTF-16 code-unit order (docs/format.md) but the engine compares by
 * code point (value-order.ts). The two orders agree on any string whose code units are all below
 * U+D800, and such a bound also bounds every value in code-point order (see the proof sketch in
 * docs/query.md, "Zone maps"); a bound with a higher unit is dropped.
 */
function usableBound(value: unknown): Literal | undefined {
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 0xd800) return undefined;
  return value;
}

function boundsOf(min: unknown, max: unknown): { min?: Literal; max?: Literal } {
  const lo = usableBound(min);
  const hi = usableBound(max);
  return lo === undefined || hi === undefined ? {} : { min: lo, max: hi };
}

/**
 * Zone lookup over a parsed block footer and the bloom filters fetched for it (by column index;
 * see {@link bloomProbeColumns}). A column whose filter was not fetched cannot rule values out.
 */
export function footerLookup(footer: BlockFooter, filters: ReadonlyMap<number, BloomFilter> = new Map()): ZoneLookup {
  const byPath = columnIndexByPath(footer);
  let anyOverflow = false;
  for (const column of footer.columns) if (column.hasOverflow) anyOverflow = true;
  return {
    stats(path) {
      const index = byPath.get(pathKey(path));
      // Without overflow, a path with no column is missing from every row of the block.
      if (index === undefined) return anyOverflow ? undefined : "absent";
      const s = footer.columns[index]!.stats;
      const stats: ZoneStats = {
        rowCount: footer.rowCount,
        nullCount: s.missingCount + s.nullCount,
        otherCount: s.objectCount + s.variantCount,
        ...boundsOf(s.min, s.max),
      };
      return stats;
    },
    mayContain(path, value) {
      const index = byPath.get(pathKey(path));
      if (index === undefined) return anyOverflow;
      const type = footer.columns[index]!.type;
      // Only typed Value entries are in the filter; ask it only about values of the column's type.
      if (type === "string" && typeof value === "string") return bloomMightContain(footer, index, value, filters.get(index));
      if (type === "int" && typeof value === "number" && Number.isSafeInteger(value)) return bloomMightContain(footer, index, value, filters.get(index));
      return true;
    },
  };
}

function columnIndexByPath(footer: BlockFooter): Map<string, number> {
  const byPath = new Map<string, number>();
  footer.columns.forEach((column, index) => byPath.set(pathKey(column.path), index));
  return byPath;
}

/**
 * Columns of a block whose bloom filter could prune it for `predicate`: those compared with `=` to
 * a literal, or tested with IN against literals, whose filter exists and holds the literal's type
 * (docs/format.md, "Bloom filter": strings for string columns, safe integers for int columns).
 * Only these filters are worth a range read; the others are never fetched.
 */
export function bloomProbeColumns(predicate: Expr, footer: BlockFooter): number[] {
  const byPath = columnIndexByPath(footer);
  const out = new Set<number>();
  const probe = (path: readonly string[], value: Literal): void => {
    const index = byPath.get(pathKey(path));
    if (index === undefined) return;
    const column = footer.columns[index]!;
    if (column.bloom === null) return;
    if ((column.type === "string" && typeof value === "string") || (column.type === "int" && typeof value === "number" && Number.isSafeInteger(value))) out.add(index);
  };
  // A filter only shows that `=` cannot be TRUE, which prunes under an even number of NOTs only.
  const visit = (e: Expr, positive: boolean): void => {
    switch (e.kind) {
      case "and":
      case "or":
        for (const arg of e.args) visit(arg, positive);
        return;
      case "not":
        visit(e.arg, !positive);
        return;
      case "compare":
        if (e.op !== "=" || !positive) return;
        if (e.left.kind === "column" && e.right.kind === "literal") probe(e.left.path, e.right.value);
        else if (e.right.kind === "column" && e.left.kind === "literal") probe(e.right.path, e.left.value);
        return;
      case "in":
        if (e.expr.kind !== "column" || e.negated === positive) return;
        for (const item of e.list) if (item.kind === "literal") probe(e.expr.path, item.value);
        return;
      default:
        return;
    }
  };
  visit(predicate, true);
  return [...out].sort((a, b) => a - b);
}

/**
 * Zone lookup over a data file's snapshot statistics (keyed by core's `pathToName`). When the
 * writer copied the block's tag counts, they are used exactly; otherwise only min/max, with NULL
 * and other-kind counts unknown. A path without statistics is unknown, never "absent".
 */
export function snapshotStatsLookup(file: DataFile, nameOf: (path: readonly string[]) => string): ZoneLookup {
  return {
    stats(path) {
      const entry = file.columnStats[nameOf(path)];
      if (entry === undefined) return undefined;
      const counts = ["missingCount", "nullCount", "objectCount", "variantCount"].map((k) => entry[k]);
      const exact = counts.every((c) => typeof c === "number");
      const [missing, nulls, objects, variants] = counts as number[];
      const stats: ZoneStats = exact
        ? { rowCount: file.rowCount, nullCount: missing! + nulls!, otherCount: objects! + variants!, ...boundsOf(entry.min, entry.max) }
        : { rowCount: file.rowCount, ...boundsOf(entry.min, entry.max) };
      return stats;
    },
  };
}

/**
 * Zone lookup from partition values: an identity-partitioned path holds the same value in every
 * row of the file. Other transforms (day, month, ...) are not used for pruning.
 */
export function partitionLookup(file: DataFile, spec: PartitionSpec): ZoneLookup {
  return {
    stats(path) {
      const field = spec.fields.find((f) => f.transform === "identity" && pathKey(f.sourcePath) === pathKey(path));
      if (field === undefined || !(field.name in file.partition)) return undefined;
      const value = file.partition[field.name];
      if (value === null) return { rowCount: file.rowCount, nullCount: file.rowCount, otherCount: 0 };
      const bound = usableBound(value);
      if (bound === undefined) return undefined;
      return { rowCount: file.rowCount, nullCount: 0, otherCount: 0, min: bound, max: bound };
    },
  };
}
