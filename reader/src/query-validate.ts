import { EvoDBError } from "@evodb/core";
import {
  QUERY_FORMAT_VERSION,
  containsAggregate,
  type AggregateFn,
  type ArithOp,
  type CompareOp,
  type Expr,
  type OrderByItem,
  type Query,
  type SelectItem,
  type SnapshotSelector,
} from "./query-types";

/**
 * Deepest expression nesting accepted. Evaluation recurses once per level, so this bounds the stack
 * a hostile query can use (a Worker's stack is far smaller than Node's).
 */
export const MAX_EXPR_DEPTH = 200;

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(["=", "!=", "<", "<=", ">", ">="]);
const ARITH_OPS: ReadonlySet<string> = new Set<ArithOp>(["+", "-", "*", "/", "%"]);
const AGGREGATE_FNS: ReadonlySet<string> = new Set<AggregateFn>(["count", "sum", "avg", "min", "max"]);

function fail(where: string, expected: string): never {
  throw new EvoDBError("QUERY_PARSE", `Invalid query object at ${where}: expected ${expected}.`, {
    details: { at: where, expected },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkString(value: unknown, where: string): string {
  if (typeof value !== "string") fail(where, "a string");
  return value;
}

function checkBool(value: unknown, where: string): boolean {
  if (typeof value !== "boolean") fail(where, "a boolean");
  return value;
}

function checkExpr(value: unknown, where: string, depth: number, aggregatesAllowed: boolean): Expr {
  if (depth > MAX_EXPR_DEPTH) {
    throw new EvoDBError("LIMIT_EXCEEDED", `Expression at ${where} nests deeper than ${MAX_EXPR_DEPTH} levels; simplify the query.`);
  }
  if (!isRecord(value)) fail(where, "an expression object");
  const sub = (v: unknown, name: string): Expr => checkExpr(v, `${where}.${name}`, depth + 1, aggregatesAllowed);
  const list = (v: unknown, name: string, min: number): Expr[] => {
    if (!Array.isArray(v) || v.length < min) fail(`${where}.${name}`, `an array of at least ${min} expressions`);
    return v.map((item, i) => checkExpr(item, `${where}.${name}[${i}]`, depth + 1, aggregatesAllowed));
  };
  switch (value.kind) {
    case "column": {
      const path = value.path;
      if (!Array.isArray(path) || path.length === 0) fail(`${where}.path`, "a non-empty array of keys");
      return { kind: "column", path: path.map((k, i) => checkString(k, `${where}.path[${i}]`)) };
    }
    case "literal": {
      const v = value.value;
      if (typeof v === "number" && !Number.isFinite(v)) fail(`${where}.value`, "a finite number");
      if (v !== null && typeof v !== "boolean" && typeof v !== "number" && typeof v !== "string") {
        fail(`${where}.value`, "null, a boolean, a number or a string");
      }
      return { kind: "literal", value: v };
    }
    case "compare":
      if (typeof value.op !== "string" || !COMPARE_OPS.has(value.op)) fail(`${where}.op`, "one of = != < <= > >=");
      return { kind: "compare", op: value.op as CompareOp, left: sub(value.left, "left"), right: sub(value.right, "right") };
    case "arith":
      if (typeof value.op !== "string" || !ARITH_OPS.has(value.op)) fail(`${where}.op`, "one of + - * / %");
      return { kind: "arith", op: value.op as ArithOp, left: sub(value.left, "left"), right: sub(value.right, "right") };
    case "in":
      return { kind: "in", expr: sub(value.expr, "expr"), list: list(value.list, "list", 1), negated: checkBool(value.negated, `${where}.negated`) };
    case "between":
      return {
        kind: "between",
        expr: sub(value.expr, "expr"),
        low: sub(value.low, "low"),
        high: sub(value.high, "high"),
        negated: checkBool(value.negated, `${where}.negated`),
      };
    case "isNull":
      return { kind: "isNull", expr: sub(value.expr, "expr"), negated: checkBool(value.negated, `${where}.negated`) };
    case "like":
      return {
        kind: "like",
        expr: sub(value.expr, "expr"),
        pattern: checkString(value.pattern, `${where}.pattern`),
        negated: checkBool(value.negated, `${where}.negated`),
      };
    case "and":
    case "or":
      return { kind: value.kind, args: list(value.args, "args", 1) };
    case "not":
    case "negate":
      return { kind: value.kind, arg: sub(value.arg, "arg") };
    case "aggregate": {
      if (!aggregatesAllowed) fail(where, "no aggregate here (aggregates belong in SELECT, HAVING and ORDER BY)");
      if (typeof value.fn !== "string" || !AGGREGATE_FNS.has(value.fn)) fail(`${where}.fn`, "one of count sum avg min max");
      const distinct = checkBool(value.distinct, `${where}.distinct`);
      if (value.arg === undefined) {
        if (value.fn !== "count" || distinct) fail(`${where}.arg`, "an argument (only COUNT(*) has none)");
        return { kind: "aggregate", fn: "count", distinct: false };
      }
      // An aggregate's argument is evaluated per row, so it may not hold another aggregate.
      const arg = checkExpr(value.arg, `${where}.arg`, depth + 1, false);
      return { kind: "aggregate", fn: value.fn as AggregateFn, arg, distinct };
    }
    default:
      return fail(`${where}.kind`, "a known expression kind");
  }
}

function checkSnapshot(value: unknown): SnapshotSelector {
  if (!isRecord(value)) fail("snapshot", "a snapshot selector object");
  switch (value.kind) {
    case "latest":
      return { kind: "latest" };
    case "id":
      return { kind: "id", id: checkString(value.id, "snapshot.id") };
    case "timestamp": {
      const timestamp = checkString(value.timestamp, "snapshot.timestamp");
      if (Number.isNaN(Date.parse(timestamp))) fail("snapshot.timestamp", "an ISO-8601 timestamp");
      return { kind: "timestamp", timestamp };
    }
    default:
      return fail("snapshot.kind", "latest, id or timestamp");
  }
}

function checkCount(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) fail(where, "a non-negative safe integer");
  return value;
}

/**
 * Checks an untrusted JSON query object and returns a well-typed copy (unknown members dropped).
 * Throws `EvoDBError` QUERY_PARSE naming the first bad member, QUERY_INVALID for a query that is
 * well formed but meaningless (aggregates in WHERE, HAVING without aggregation), and
 * UNSUPPORTED_VERSION for another format version.
 */
export function validateQuery(value: unknown): Query {
  if (!isRecord(value)) fail("(root)", "a query object");
  if (value.version !== undefined && value.version !== QUERY_FORMAT_VERSION) {
    throw new EvoDBError("UNSUPPORTED_VERSION", `Query format version ${String(value.version)} is not supported; this build reads version ${QUERY_FORMAT_VERSION}.`);
  }
  if (!Array.isArray(value.select) || value.select.length === 0) fail("select", "a non-empty array");
  const select: SelectItem[] = value.select.map((item, i): SelectItem => {
    if (!isRecord(item)) fail(`select[${i}]`, "a select item object");
    if (item.kind === "star") return { kind: "star" };
    if (item.kind !== "expr") fail(`select[${i}].kind`, "star or expr");
    const expr = checkExpr(item.expr, `select[${i}].expr`, 0, true);
    return item.alias === undefined ? { kind: "expr", expr } : { kind: "expr", expr, alias: checkString(item.alias, `select[${i}].alias`) };
  });
  const out: {
    -readonly [K in keyof Query]: Query[K];
  } = { select, from: checkString(value.from, "from") };
  if (value.version !== undefined) out.version = QUERY_FORMAT_VERSION;
  if (value.snapshot !== undefined) out.snapshot = checkSnapshot(value.snapshot);
  if (value.where !== undefined) out.where = checkExpr(value.where, "where", 0, false);
  if (value.groupBy !== undefined) {
    if (!Array.isArray(value.groupBy)) fail("groupBy", "an array of expressions");
    out.groupBy = value.groupBy.map((g, i) => checkExpr(g, `groupBy[${i}]`, 0, false));
  }
  if (value.having !== undefined) out.having = checkExpr(value.having, "having", 0, true);
  if (value.orderBy !== undefined) {
    if (!Array.isArray(value.orderBy)) fail("orderBy", "an array of order items");
    out.orderBy = value.orderBy.map((o, i): OrderByItem => {
      if (!isRecord(o)) fail(`orderBy[${i}]`, "an order item object");
      if (o.direction !== "asc" && o.direction !== "desc") fail(`orderBy[${i}].direction`, "asc or desc");
      const expr = checkExpr(o.expr, `orderBy[${i}].expr`, 0, true);
      if (o.nulls === undefined) return { expr, direction: o.direction };
      if (o.nulls !== "first" && o.nulls !== "last") fail(`orderBy[${i}].nulls`, "first or last");
      return { expr, direction: o.direction, nulls: o.nulls };
    });
  }
  if (value.limit !== undefined) out.limit = checkCount(value.limit, "limit");
  if (value.offset !== undefined) out.offset = checkCount(value.offset, "offset");
  checkAggregation(out);
  return out;
}

/**
 * Semantic rules shared by the SQL parser and the object validator: in an aggregate query every
 * selected or ordered expression outside an aggregate must be a GROUP BY expression, and `*`
 * cannot be selected.
 */
export function checkAggregation(query: Query): void {
  const aggregating =
    (query.groupBy !== undefined && query.groupBy.length > 0) ||
    query.having !== undefined ||
    query.select.some((s) => s.kind === "expr" && containsAggregate(s.expr));
  if (!aggregating) {
    if (query.orderBy?.some((o) => containsAggregate(o.expr))) {
      throw new EvoDBError("QUERY_INVALID", "ORDER BY uses an aggregate but the query does not aggregate; add GROUP BY or an aggregate to SELECT.");
    }
    return;
  }
  const groupKeys = new Set((query.groupBy ?? []).map((g) => JSON.stringify(g)));
  const check = (expr: Expr, where: string): void => {
    if (groupKeys.has(JSON.stringify(expr)) || expr.kind === "aggregate" || expr.kind === "literal") return;
    if (expr.kind === "column") {
      throw new EvoDBError("QUERY_INVALID", `Column ${expr.path.join(".")} in ${where} must appear in GROUP BY or be used inside an aggregate.`, {
        details: { path: expr.path },
      });
    }
    forEachChild(expr, (child) => check(child, where));
  };
  query.select.forEach((s) => {
    if (s.kind === "star") throw new EvoDBError("QUERY_INVALID", "SELECT * cannot be combined with GROUP BY or aggregates; list the columns.");
    check(s.expr, "SELECT");
  });
  if (query.having) check(query.having, "HAVING");
  // ORDER BY may also name a select alias (a single-key column path); those resolve to the output.
  const aliases = new Set(query.select.flatMap((s) => (s.kind === "expr" && s.alias !== undefined ? [s.alias] : [])));
  query.orderBy?.forEach((o) => {
    if (o.expr.kind === "column" && o.expr.path.length === 1 && aliases.has(o.expr.path[0]!)) return;
    check(o.expr, "ORDER BY");
  });
}

/** Calls `visit` on each direct child expression. */
export function forEachChild(expr: Expr, visit: (child: Expr) => void): void {
  switch (expr.kind) {
    case "column":
    case "literal":
      return;
    case "compare":
    case "arith":
      visit(expr.left);
      visit(expr.right);
      return;
    case "in":
      visit(expr.expr);
      expr.list.forEach(visit);
      return;
    case "between":
      visit(expr.expr);
      visit(expr.low);
      visit(expr.high);
      return;
    case "isNull":
    case "like":
      visit(expr.expr);
      return;
    case "and":
    case "or":
      expr.args.forEach(visit);
      return;
    case "not":
    case "negate":
      visit(expr.arg);
      return;
    case "aggregate":
      if (expr.arg) visit(expr.arg);
      return;
  }
}
