/**
 * The typed JSON query object: the one query representation both engines execute. The SQL parser
 * of `@evodb/query` produces it, programs may build it directly (it is plain JSON, so it can travel
 * in a request body), and `validateQuery` checks an untrusted one. The format is specified in
 * docs/query.md (version {@link QUERY_FORMAT_VERSION}).
 *
 * Paths are arrays of object keys from the document root, so keys may hold any character
 * (`["weird key", "a.b"]`); the SQL form `a.b."weird key"` is only a spelling of them.
 */

/** Version of the JSON query object format (docs/query.md). Readers refuse any other. */
export const QUERY_FORMAT_VERSION = 1;

/** A scalar literal. Integers beyond 2^53 - 1 are not representable here on purpose. */
export type Literal = null | boolean | number | string;

/** Comparison operators. `!=` and `<>` are the same operator; the object form always says `!=`. */
export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** Arithmetic operators. `/` is float division (as DuckDB), `%` is the remainder with the sign of the dividend. */
export type ArithOp = "+" | "-" | "*" | "/" | "%";

/** Aggregate functions. */
export type AggregateFn = "count" | "sum" | "avg" | "min" | "max";

/** A scalar or boolean expression; aggregates may appear only in SELECT, HAVING and ORDER BY. */
export type Expr =
  | { readonly kind: "column"; readonly path: readonly string[] }
  | { readonly kind: "literal"; readonly value: Literal }
  | { readonly kind: "compare"; readonly op: CompareOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "in"; readonly expr: Expr; readonly list: readonly Expr[]; readonly negated: boolean }
  | { readonly kind: "between"; readonly expr: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean }
  | { readonly kind: "isNull"; readonly expr: Expr; readonly negated: boolean }
  /** SQL LIKE: `%` any run of characters, `_` exactly one character (code point); no escape character. */
  | { readonly kind: "like"; readonly expr: Expr; readonly pattern: string; readonly negated: boolean }
  | { readonly kind: "and"; readonly args: readonly Expr[] }
  | { readonly kind: "or"; readonly args: readonly Expr[] }
  | { readonly kind: "not"; readonly arg: Expr }
  | { readonly kind: "arith"; readonly op: ArithOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "negate"; readonly arg: Expr }
  /** `arg` absent means `COUNT(*)`; `distinct` is allowed for every function (`SUM(DISTINCT x)`). */
  | { readonly kind: "aggregate"; readonly fn: AggregateFn; readonly arg?: Expr; readonly distinct: boolean };

/** One entry of the select list. */
export type SelectItem =
  | { readonly kind: "star" }
  | { readonly kind: "expr"; readonly expr: Expr; readonly alias?: string };

/** Which snapshot of the table to read. */
export type SnapshotSelector =
  | { readonly kind: "latest" }
  | { readonly kind: "id"; readonly id: string }
  /** The newest snapshot committed at or before this ISO-8601 instant. */
  | { readonly kind: "timestamp"; readonly timestamp: string };

/** One ORDER BY key. `nulls` defaults to "last" in both directions (DuckDB's default). */
export interface OrderByItem {
  readonly expr: Expr;
  readonly direction: "asc" | "desc";
  readonly nulls?: "first" | "last";
}

/** A whole query. Optional members mean "absent" (no WHERE, no LIMIT, latest snapshot...). */
export interface Query {
  /** Format version; when present it must equal {@link QUERY_FORMAT_VERSION}. */
  readonly version?: number;
  readonly select: readonly SelectItem[];
  readonly from: string;
  readonly snapshot?: SnapshotSelector;
  readonly where?: Expr;
  readonly groupBy?: readonly Expr[];
  readonly having?: Expr;
  readonly orderBy?: readonly OrderByItem[];
  readonly limit?: number;
  readonly offset?: number;
}

/** Shorthand constructors, so tests and programs can build queries without spelling every field. */
export const q = {
  col: (...path: string[]): Expr => ({ kind: "column", path }),
  lit: (value: Literal): Expr => ({ kind: "literal", value }),
  cmp: (op: CompareOp, left: Expr, right: Expr): Expr => ({ kind: "compare", op, left, right }),
  and: (...args: Expr[]): Expr => ({ kind: "and", args }),
  or: (...args: Expr[]): Expr => ({ kind: "or", args }),
  not: (arg: Expr): Expr => ({ kind: "not", arg }),
  agg: (fn: AggregateFn, arg?: Expr, distinct = false): Expr =>
    arg === undefined ? { kind: "aggregate", fn, distinct } : { kind: "aggregate", fn, arg, distinct },
} as const;

/** True when the expression contains an aggregate call anywhere. */
export function containsAggregate(expr: Expr): boolean {
  switch (expr.kind) {
    case "aggregate":
      return true;
    case "column":
    case "literal":
      return false;
    case "compare":
    case "arith":
      return containsAggregate(expr.left) || containsAggregate(expr.right);
    case "in":
      return containsAggregate(expr.expr) || expr.list.some(containsAggregate);
    case "between":
      return containsAggregate(expr.expr) || containsAggregate(expr.low) || containsAggregate(expr.high);
    case "isNull":
    case "like":
      return containsAggregate(expr.expr);
    case "and":
    case "or":
      return expr.args.some(containsAggregate);
    case "not":
    case "negate":
      return containsAggregate(expr.arg);
  }
}

/** Every column path an expression reads (duplicates removed, in first-seen order). */
export function referencedPaths(exprs: readonly Expr[]): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case "column": {
        const key = pathKey(e.path);
        if (!seen.has(key)) {
          seen.add(key);
          out.push([...e.path]);
        }
        return;
      }
      case "literal":
        return;
      case "compare":
      case "arith":
        visit(e.left);
        visit(e.right);
        return;
      case "in":
        visit(e.expr);
        e.list.forEach(visit);
        return;
      case "between":
        visit(e.expr);
        visit(e.low);
        visit(e.high);
        return;
      case "isNull":
      case "like":
        visit(e.expr);
        return;
      case "and":
      case "or":
        e.args.forEach(visit);
        return;
      case "not":
      case "negate":
        visit(e.arg);
        return;
      case "aggregate":
        if (e.arg) visit(e.arg);
        return;
    }
  };
  exprs.forEach(visit);
  return out;
}

/** A collision-free string key for a path (keys may contain any character, so no plain join). */
export function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}
