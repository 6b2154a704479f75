import type { Expr } from "./query-types";

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A short SQL-like label for an expression, used as the output column name when the select item
 * has no alias: `user.name`, `count(*)`, `sum(price * qty)`. Keys that are not plain identifiers are
 * double-quoted, as in the SQL dialect.
 */
export function exprLabel(expr: Expr): string {
  switch (expr.kind) {
    case "column":
      return expr.path.map((k) => (SIMPLE_KEY.test(k) ? k : `"${k.replaceAll('"', '""')}"`)).join(".");
    case "literal":
      return typeof expr.value === "string" ? `'${expr.value.replaceAll("'", "''")}'` : String(expr.value);
    case "aggregate":
      return `${expr.fn}(${expr.distinct ? "DISTINCT " : ""}${expr.arg === undefined ? "*" : exprLabel(expr.arg)})`;
    case "arith":
    case "compare":
      return `${exprLabel(expr.left)} ${expr.op} ${exprLabel(expr.right)}`;
    case "negate":
      return `-${exprLabel(expr.arg)}`;
    case "not":
      return `NOT ${exprLabel(expr.arg)}`;
    case "and":
    case "or":
      return expr.args.map(exprLabel).join(` ${expr.kind.toUpperCase()} `);
    case "isNull":
      return `${exprLabel(expr.expr)} IS ${expr.negated ? "NOT " : ""}NULL`;
    case "in":
      return `${exprLabel(expr.expr)} ${expr.negated ? "NOT " : ""}IN (${expr.list.map(exprLabel).join(", ")})`;
    case "between":
      return `${exprLabel(expr.expr)} ${expr.negated ? "NOT " : ""}BETWEEN ${exprLabel(expr.low)} AND ${exprLabel(expr.high)}`;
    case "like":
      return `${exprLabel(expr.expr)} ${expr.negated ? "NOT " : ""}LIKE '${expr.pattern.replaceAll("'", "''")}'`;
  }
}
