import type { Expr, Literal, Query } from "@evodb/reader";
import { RESERVED } from "./parse";

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A name as SQL: bare when it is a plain identifier and not reserved, else double-quoted. */
export function formatName(name: string): string {
  return SIMPLE_NAME.test(name) && !RESERVED.has(name.toLowerCase()) ? name : `"${name.replaceAll('"', '""')}"`;
}

function formatLiteral(value: Literal): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * SQL text of an expression. Every compound sub-expression is parenthesised, so
 * `parseSql(formatSql(q))` rebuilds exactly the same tree without precedence reasoning.
 */
export function formatExpr(expr: Expr): string {
  switch (expr.kind) {
    case "column":
      return expr.path.map(formatName).join(".");
    case "literal":
      return formatLiteral(expr.value);
    case "compare":
    case "arith":
      return `(${formatExpr(expr.left)} ${expr.op} ${formatExpr(expr.right)})`;
    case "negate":
      return `-(${formatExpr(expr.arg)})`;
    case "not":
      return `(NOT ${formatExpr(expr.arg)})`;
    case "and":
    case "or":
      return expr.args.length === 1 ? `(${formatExpr(expr.args[0]!)})` : `(${expr.args.map(formatExpr).join(expr.kind === "and" ? " AND " : " OR ")})`;
    case "isNull":
      return `(${formatExpr(expr.expr)} IS ${expr.negated ? "NOT " : ""}NULL)`;
    case "in":
      return `(${formatExpr(expr.expr)} ${expr.negated ? "NOT " : ""}IN (${expr.list.map(formatExpr).join(", ")}))`;
    case "between":
      return `(${formatExpr(expr.expr)} ${expr.negated ? "NOT " : ""}BETWEEN ${formatExpr(expr.low)} AND ${formatExpr(expr.high)})`;
    case "like":
      return `(${formatExpr(expr.expr)} ${expr.negated ? "NOT " : ""}LIKE ${formatLiteral(expr.pattern)})`;
    case "aggregate":
      return `${expr.fn.toUpperCase()}(${expr.arg === undefined ? "*" : (expr.distinct ? "DISTINCT " : "") + formatExpr(expr.arg)})`;
  }
}

/** SQL text of a whole query; the inverse of `parseSql` for every valid query object. */
export function formatSql(query: Query, explain = false): string {
  const parts: string[] = [];
  if (explain) parts.push("EXPLAIN");
  parts.push(
    "SELECT",
    query.select.map((s) => (s.kind === "star" ? "*" : formatExpr(s.expr) + (s.alias === undefined ? "" : ` AS ${formatName(s.alias)}`))).join(", "),
    "FROM",
    formatName(query.from),
  );
  if (query.snapshot?.kind === "id") parts.push(`FOR SNAPSHOT AS OF ${formatLiteral(query.snapshot.id)}`);
  if (query.snapshot?.kind === "timestamp") parts.push(`FOR TIMESTAMP AS OF ${formatLiteral(query.snapshot.timestamp)}`);
  if (query.where) parts.push("WHERE", formatExpr(query.where));
  if (query.groupBy?.length) parts.push("GROUP BY", query.groupBy.map(formatExpr).join(", "));
  if (query.having) parts.push("HAVING", formatExpr(query.having));
  if (query.orderBy?.length) {
    parts.push(
      "ORDER BY",
      query.orderBy.map((o) => `${formatExpr(o.expr)} ${o.direction.toUpperCase()}${o.nulls ? ` NULLS ${o.nulls.toUpperCase()}` : ""}`).join(", "),
    );
  }
  if (query.limit !== undefined) parts.push(`LIMIT ${query.limit}`);
  if (query.offset !== undefined) parts.push(`OFFSET ${query.offset}`);
  return parts.join(" ");
}
