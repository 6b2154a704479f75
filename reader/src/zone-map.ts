import { compareStrings } from "./value-order";
import { flipOp } from "./compare-kernels";
import { likePrefix } from "./like";
import type { CompareOp, Expr, Literal } from "./query-types";

/**
 * Statistics of one path in one block, as the zone-map check needs them. Bounds must be exact or
 * conservative (a truncated string `max` must be rounded up, never down), or pruning is wrong.
 */
export interface ZoneStats {
  /** Rows in the block. */
  readonly rowCount: number;
  /** Smallest and largest typed value (the column's main type); absent when there is none. */
  readonly min?: Literal;
  readonly max?: Literal;
  /** Rows that are SQL NULL at this path (missing or JSON null); unknown when absent. */
  readonly nullCount?: number;
  /**
   * Rows holding a value that min/max do not describe (variants of another type, objects, arrays).
   * Unknown when absent, which disables range pruning, since such values compare by kind rank.
   */
  readonly otherCount?: number;
}

/** What a block can tell the pruner. */
export interface ZoneLookup {
  /**
   * Stats of a path; `"absent"` when the block certainly holds no value at the path (every row
   * NULL), `undefined` when it cannot say.
   */
  stats(path: readonly string[]): ZoneStats | "absent" | undefined;
  /** Bloom filter probe: false only when the block certainly has no row equal to `value` at `path`. */
  mayContain?(path: readonly string[], value: string | number | boolean): boolean;
}

/** Which of TRUE and FALSE some row of the block could produce (NULL rows never pass a filter). */
interface Possible {
  readonly canBeTrue: boolean;
  readonly canBeFalse: boolean;
}

const ANY: Possible = { canBeTrue: true, canBeFalse: true };
const NEVER: Possible = { canBeTrue: false, canBeFalse: false };

/**
 * The zone-map check: false only when no row of the block can satisfy `predicate`, judged from
 * per-column min/max/null counts (and bloom filters for `=` and IN when the lookup has them).
 * Conservative: anything it cannot reason about may match.
 */
export function blockMayMatch(predicate: Expr, lookup: ZoneLookup): boolean {
  return possible(predicate, lookup).canBeTrue;
}

/** Same, but tells which rule pruned: "zone-map", "bloom", or undefined when the block may match. */
export function pruneReason(predicate: Expr, lookup: ZoneLookup): "zone-map" | "bloom" | undefined {
  if (possible(predicate, { stats: (path) => lookup.stats(path) }).canBeTrue === false) return "zone-map";
  if (lookup.mayContain !== undefined && possible(predicate, lookup).canBeTrue === false) return "bloom";
  return undefined;
}

function possible(expr: Expr, lookup: ZoneLookup): Possible {
  switch (expr.kind) {
    case "and": {
      const parts = expr.args.map((a) => possible(a, lookup));
      return { canBeTrue: parts.every((p) => p.canBeTrue), canBeFalse: parts.some((p) => p.canBeFalse) };
    }
    case "or": {
      const parts = expr.args.map((a) => possible(a, lookup));
      return { canBeTrue: parts.some((p) => p.canBeTrue), canBeFalse: parts.every((p) => p.canBeFalse) };
    }
    case "not": {
      const p = possible(expr.arg, lookup);
      return { canBeTrue: p.canBeFalse, canBeFalse: p.canBeTrue };
    }
    case "literal":
      return expr.value === null ? NEVER : typeof expr.value === "boolean" ? { canBeTrue: expr.value, canBeFalse: !expr.value } : ANY;
    case "compare":
      if (expr.left.kind === "column" && expr.right.kind === "literal") return comparePossible(expr.left.path, expr.op, expr.right.value, lookup);
      if (expr.left.kind === "literal" && expr.right.kind === "column") return comparePossible(expr.right.path, flipOp(expr.op), expr.left.value, lookup);
      return ANY;
    case "between": {
      const inside = possible(
        { kind: "and", args: [{ kind: "compare", op: ">=", left: expr.expr, right: expr.low }, { kind: "compare", op: "<=", left: expr.expr, right: expr.high }] },
        lookup,
      );
      return expr.negated ? { canBeTrue: inside.canBeFalse, canBeFalse: inside.canBeTrue } : inside;
    }
    case "in": {
      if (expr.expr.kind !== "column" || !expr.list.every((e) => e.kind === "literal")) return ANY;
      const path = expr.expr.path;
      const hits = expr.list.map((e) => comparePossible(path, "=", (e as { value: Literal }).value, lookup));
      const canBeTrue = hits.some((h) => h.canBeTrue);
      const stats = lookup.stats(path);
      // The FALSE side of IN is as wide as the column's non-null values.
      const canBeFalse = stats === "absent" ? false : stats === undefined ? true : hasNonNull(stats);
      return expr.negated ? { canBeTrue: canBeFalse, canBeFalse: canBeTrue } : { canBeTrue, canBeFalse };
    }
    case "isNull": {
      if (expr.expr.kind !== "column") return ANY;
      const stats = lookup.stats(expr.expr.path);
      let nulls = true;
      let values = true;
      if (stats === "absent") values = false;
      else if (stats !== undefined) {
        if (stats.nullCount !== undefined) nulls = stats.nullCount > 0;
        values = hasNonNull(stats);
      }
      return expr.negated ? { canBeTrue: values, canBeFalse: nulls } : { canBeTrue: nulls, canBeFalse: values };
    }
    case "like": {
      if (expr.expr.kind !== "column") return ANY;
      const stats = lookup.stats(expr.expr.path);
      if (stats === "absent") return NEVER;
      if (stats === undefined) return ANY;
      if (!hasNonNull(stats)) return NEVER;
      const prefix = likePrefix(expr.pattern);
      const { min, max } = stats;
      if (prefix === "" || typeof min !== "string" || typeof max !== "string" || stats.otherCount !== 0) return ANY;
      // Strings starting with `prefix` lie at or above it, and below any string that is greater than
      // `prefix` without starting with it.
      const canMatch = compareStrings(max, prefix) >= 0 && (compareStrings(min, prefix) <= 0 || min.startsWith(prefix));
      return expr.negated ? { canBeTrue: true, canBeFalse: canMatch } : { canBeTrue: canMatch, canBeFalse: true };
    }
    default:
      return ANY;
  }
}

function hasNonNull(stats: ZoneStats): boolean {
  return stats.nullCount === undefined || stats.nullCount < stats.rowCount;
}

function order(a: Literal, b: Literal): number {
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "boolean") return Number(a) - Number(b as boolean);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function comparePossible(path: readonly string[], op: CompareOp, literal: Literal, lookup: ZoneLookup): Possible {
  if (literal === null) return NEVER;
  const stats = lookup.stats(path);
  if (stats === "absent") return NEVER;
  if (stats === undefined) return ANY;
  if (!hasNonNull(stats)) return NEVER;
  if (op === "=" && lookup.mayContain !== undefined && !lookup.mayContain(path, literal)) {
    // Bloom says no row equals the literal: `=` cannot be TRUE (FALSE stays possible).
    return { canBeTrue: false, canBeFalse: true };
  }
  const { min, max } = stats;
  // Bounds describe only values of the column's main type; a literal of another kind, or a number
  // beyond 2^53 that a bigint variant could equal, is outside what they can decide.
  if (min === undefined || max === undefined || min === null || max === null || typeof min !== typeof literal || typeof max !== typeof literal) {
    return ANY;
  }
  if (typeof literal === "number" && Math.abs(literal) > Number.MAX_SAFE_INTEGER) return ANY;
  const others = stats.otherCount !== 0;
  const lo = order(min, literal);
  const hi = order(max, literal);
  let canBeTrue: boolean;
  let canBeFalse: boolean;
  switch (op) {
    case "=":
      canBeTrue = lo <= 0 && hi >= 0;
      canBeFalse = others || !(lo === 0 && hi === 0);
      break;
    case "!=":
      canBeTrue = others || !(lo === 0 && hi === 0);
      canBeFalse = lo <= 0 && hi >= 0;
      break;
    case "<":
      canBeTrue = lo < 0;
      canBeFalse = hi >= 0;
      break;
    case "<=":
      canBeTrue = lo <= 0;
      canBeFalse = hi > 0;
      break;
    case ">":
      canBeTrue = hi > 0;
      canBeFalse = lo <= 0;
      break;
    case ">=":
      canBeTrue = hi >= 0;
      canBeFalse = lo < 0;
      break;
  }
  // Values of other kinds compare by kind rank (value-order.ts), so they can land on either side
  // of a range comparison; equality with them is always FALSE.
  if (others && op !== "=" && op !== "!=") return ANY;
  return { canBeTrue, canBeFalse };
}
