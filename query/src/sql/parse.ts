import type { EvoDBError } from "@evodb/core";
import {
  MAX_EXPR_DEPTH,
  validateQuery,
  type AggregateFn,
  type CompareOp,
  type Expr,
  type OrderByItem,
  type Query,
  type SelectItem,
  type SnapshotSelector,
} from "@evodb/reader";
import { parseError, tokenize, type Token } from "./tokenize";

/** A parsed statement: the query, and whether it was prefixed by EXPLAIN. */
export interface ParsedStatement {
  readonly explain: boolean;
  readonly query: Query;
}

/** Words that end an expression or start a clause; quote them ("order") to use them as keys. */
export const RESERVED = new Set([
  "select", "from", "where", "group", "by", "having", "order", "limit", "offset", "and", "or", "not", "in", "is",
  "null", "between", "like", "as", "asc", "desc", "nulls", "true", "false", "distinct", "for", "explain", "all",
]);

/** Parser calls per expression level (OR, AND, NOT, predicate, +, *, unary, primary). */
const PARSE_DEPTH_FACTOR = 8;

const AGGREGATES = new Set<string>(["count", "sum", "avg", "min", "max"]);
const COMPARE_OPS = new Set(["=", "!=", "<", "<=", ">", ">="]);

/**
 * Parses one statement of the SQL subset (docs/sql.md) into the typed JSON query object.
 * Errors are `EvoDBError` QUERY_PARSE with `details.line` / `details.column` and what was expected;
 * QUERY_INVALID for a statement that parses but breaks the aggregation rules. Recursion is bounded
 * by MAX_EXPR_DEPTH, so hostile nesting gives an error, never a stack overflow.
 */
export function parseSql(source: string): ParsedStatement {
  return new Parser(source).statement();
}

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  statement(): ParsedStatement {
    const explain = this.acceptKeyword("explain");
    const query = this.select();
    this.acceptOp(";");
    this.expectEnd();
    // The same checks as for a JSON query object: depth, aggregate placement, GROUP BY rules.
    return { explain, query: validateQuery(query) };
  }

  private select(): Query {
    this.expectKeyword("select");
    if (this.peekKeyword("distinct")) throw this.error("a select list (SELECT DISTINCT is not supported; use GROUP BY)");
    const select: SelectItem[] = [];
    do select.push(this.selectItem());
    while (this.acceptOp(","));
    this.expectKeyword("from");
    const from = this.name("a table name");
    const query: { -readonly [K in keyof Query]: Query[K] } = { select, from };
    const snapshot = this.snapshotClause();
    if (snapshot) query.snapshot = snapshot;
    if (this.acceptKeyword("where")) query.where = this.expr(0, false);
    if (this.acceptKeyword("group")) {
      this.expectKeyword("by");
      const groupBy: Expr[] = [];
      do groupBy.push(this.expr(0, false));
      while (this.acceptOp(","));
      query.groupBy = groupBy;
    }
    if (this.acceptKeyword("having")) query.having = this.expr(0, true);
    if (this.acceptKeyword("order")) {
      this.expectKeyword("by");
      const orderBy: OrderByItem[] = [];
      do orderBy.push(this.orderItem());
      while (this.acceptOp(","));
      query.orderBy = orderBy;
    }
    for (let clauses = 0; clauses < 2; clauses++) {
      if (query.limit === undefined && this.acceptKeyword("limit")) query.limit = this.count("LIMIT");
      else if (query.offset === undefined && this.acceptKeyword("offset")) query.offset = this.count("OFFSET");
    }
    return query;
  }

  private selectItem(): SelectItem {
    if (this.acceptOp("*")) return { kind: "star" };
    const expr = this.expr(0, true);
    if (this.acceptKeyword("as")) return { kind: "expr", expr, alias: this.name("an alias after AS") };
    const next = this.peek();
    if (next.kind === "quoted" || (next.kind === "ident" && !RESERVED.has(next.text.toLowerCase()))) {
      return { kind: "expr", expr, alias: this.name("an alias") };
    }
    return { kind: "expr", expr };
  }

  private snapshotClause(): SnapshotSelector | undefined {
    if (!this.acceptKeyword("for")) return undefined;
    const kindToken = this.peek();
    const word = kindToken.kind === "ident" ? kindToken.text.toLowerCase() : "";
    if (word !== "snapshot" && word !== "timestamp") throw this.error("SNAPSHOT or TIMESTAMP after FOR");
    this.position++;
    this.expectKeyword("as");
    this.expectWord("of");
    const value = this.peek();
    if (word === "snapshot") {
      if (value.kind !== "number" && value.kind !== "string") throw this.error("a snapshot id (a number or a string)");
      this.position++;
      return { kind: "id", id: value.text };
    }
    if (value.kind !== "string") throw this.error("a timestamp string such as '2026-01-05T08:00:00Z'");
    if (Number.isNaN(Date.parse(value.text))) throw this.error("an ISO-8601 timestamp");
    this.position++;
    return { kind: "timestamp", timestamp: value.text };
  }

  private orderItem(): OrderByItem {
    const expr = this.expr(0, true);
    let direction: "asc" | "desc" = "asc";
    if (this.acceptKeyword("desc")) direction = "desc";
    else this.acceptKeyword("asc");
    if (this.acceptKeyword("nulls")) {
      if (this.acceptWord("first")) return { expr, direction, nulls: "first" };
      if (this.acceptWord("last")) return { expr, direction, nulls: "last" };
      throw this.error("FIRST or LAST after NULLS");
    }
    return { expr, direction };
  }

  private count(clause: string): number {
    const token = this.peek();
    const value = token.kind === "number" ? Number(token.text) : NaN;
    if (!Number.isSafeInteger(value) || value < 0) throw this.error(`a non-negative integer after ${clause}`);
    this.position++;
    return value;
  }

  // Expressions, by precedence: OR < AND < NOT < predicate < + - < * / % < unary minus.

  private expr(depth: number, aggregates: boolean): Expr {
    this.checkDepth(depth);
    const args = [this.conjunction(depth + 1, aggregates)];
    while (this.acceptKeyword("or")) args.push(this.conjunction(depth + 1, aggregates));
    return args.length === 1 ? args[0]! : { kind: "or", args };
  }

  private conjunction(depth: number, aggregates: boolean): Expr {
    const args = [this.negation(depth + 1, aggregates)];
    while (this.acceptKeyword("and")) args.push(this.negation(depth + 1, aggregates));
    return args.length === 1 ? args[0]! : { kind: "and", args };
  }

  private negation(depth: number, aggregates: boolean): Expr {
    this.checkDepth(depth);
    if (this.acceptKeyword("not")) return { kind: "not", arg: this.negation(depth + 1, aggregates) };
    return this.predicate(depth + 1, aggregates);
  }

  private predicate(depth: number, aggregates: boolean): Expr {
    const left = this.additive(depth + 1, aggregates);
    const token = this.peek();
    if (token.kind === "op" && COMPARE_OPS.has(token.text)) {
      this.position++;
      return { kind: "compare", op: token.text as CompareOp, left, right: this.additive(depth + 1, aggregates) };
    }
    if (this.acceptKeyword("is")) {
      const negated = this.acceptKeyword("not");
      this.expectKeyword("null");
      return { kind: "isNull", expr: left, negated };
    }
    const negated = this.peekKeyword("not") && ["in", "between", "like"].includes(this.peekAt(1).text.toLowerCase());
    if (negated) this.position++;
    if (this.acceptKeyword("in")) {
      this.expectOp("(");
      const list: Expr[] = [];
      do list.push(this.additive(depth + 1, aggregates));
      while (this.acceptOp(","));
      this.expectOp(")");
      return { kind: "in", expr: left, list, negated };
    }
    if (this.acceptKeyword("between")) {
      const low = this.additive(depth + 1, aggregates);
      this.expectKeyword("and");
      return { kind: "between", expr: left, low, high: this.additive(depth + 1, aggregates), negated };
    }
    if (this.acceptKeyword("like")) {
      const pattern = this.peek();
      if (pattern.kind !== "string") throw this.error("a string pattern after LIKE");
      this.position++;
      return { kind: "like", expr: left, pattern: pattern.text, negated };
    }
    return left;
  }

  private additive(depth: number, aggregates: boolean): Expr {
    let left = this.multiplicative(depth + 1, aggregates);
    for (let chain = 1; ; chain++) {
      const op = this.peek();
      if (op.kind !== "op" || (op.text !== "+" && op.text !== "-")) return left;
      // A left-deep chain `a + b + c ...` nests one level per operator.
      this.checkDepth(depth + chain * PARSE_DEPTH_FACTOR);
      this.position++;
      left = { kind: "arith", op: op.text, left, right: this.multiplicative(depth + chain * PARSE_DEPTH_FACTOR + 1, aggregates) };
    }
  }

  private multiplicative(depth: number, aggregates: boolean): Expr {
    let left = this.unary(depth + 1, aggregates);
    for (let chain = 1; ; chain++) {
      const op = this.peek();
      if (op.kind !== "op" || (op.text !== "*" && op.text !== "/" && op.text !== "%")) return left;
      this.checkDepth(depth + chain * PARSE_DEPTH_FACTOR);
      this.position++;
      left = { kind: "arith", op: op.text, left, right: this.unary(depth + chain * PARSE_DEPTH_FACTOR + 1, aggregates) };
    }
  }

  private unary(depth: number, aggregates: boolean): Expr {
    this.checkDepth(depth);
    if (this.acceptOp("-")) {
      const arg = this.unary(depth + 1, aggregates);
      // Fold `-5` into a literal so it round-trips and zone maps see a plain constant.
      if (arg.kind === "literal" && typeof arg.value === "number" && !this.lastWasParenthesised) return { kind: "literal", value: -arg.value };
      return { kind: "negate", arg };
    }
    if (this.acceptOp("+")) return this.unary(depth + 1, aggregates);
    return this.primary(depth + 1, aggregates);
  }

  /** True when the last primary was a parenthesised expression: `-(5)` stays a negation. */
  private lastWasParenthesised = false;

  private primary(depth: number, aggregates: boolean): Expr {
    this.checkDepth(depth);
    this.lastWasParenthesised = false;
    const token = this.peek();
    if (token.kind === "op" && token.text === "(") {
      this.position++;
      const inner = this.expr(depth + 1, aggregates);
      this.expectOp(")");
      this.lastWasParenthesised = true;
      return inner;
    }
    if (token.kind === "number") {
      this.position++;
      const value = Number(token.text);
      if (!Number.isFinite(value)) throw this.errorAt(token, "a number within the float64 range", `'${token.text}'`);
      return { kind: "literal", value };
    }
    if (token.kind === "string") {
      this.position++;
      return { kind: "literal", value: token.text };
    }
    if (token.kind === "ident") {
      const word = token.text.toLowerCase();
      if (word === "null" || word === "true" || word === "false") {
        this.position++;
        return { kind: "literal", value: word === "null" ? null : word === "true" };
      }
      if (AGGREGATES.has(word) && this.peekAt(1).kind === "op" && this.peekAt(1).text === "(") {
        if (!aggregates) throw this.errorAt(token, "no aggregate here (aggregates belong in SELECT, HAVING and ORDER BY)", `${token.text}(`);
        this.position += 2;
        return this.aggregateCall(word as AggregateFn, depth + 1);
      }
      if (this.peekAt(1).kind === "op" && this.peekAt(1).text === "(") {
        throw this.errorAt(token, "a column or one of COUNT, SUM, AVG, MIN, MAX (other functions are not supported)", `${token.text}(`);
      }
    }
    if (token.kind === "quoted" || (token.kind === "ident" && !RESERVED.has(token.text.toLowerCase()))) {
      const path = [this.name("a column name")];
      while (this.acceptOp(".")) path.push(this.name("a key after '.'"));
      return { kind: "column", path };
    }
    throw this.error("an expression");
  }

  private aggregateCall(fn: AggregateFn, depth: number): Expr {
    if (fn === "count" && this.acceptOp("*")) {
      this.expectOp(")");
      return { kind: "aggregate", fn, distinct: false };
    }
    const distinct = this.acceptKeyword("distinct");
    // The argument is evaluated per row: an aggregate inside an aggregate is refused.
    const arg = this.expr(depth + 1, false);
    this.expectOp(")");
    return { kind: "aggregate", fn, arg, distinct };
  }

  // Token helpers.

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private peekAt(ahead: number): Token {
    return this.tokens[Math.min(this.position + ahead, this.tokens.length - 1)]!;
  }

  private peekKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === "ident" && token.text.toLowerCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.peekKeyword(word)) return false;
    this.position++;
    return true;
  }

  /** Non-reserved words (OF, FIRST, LAST) are matched the same way. */
  private acceptWord(word: string): boolean {
    return this.acceptKeyword(word);
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.error(word.toUpperCase());
  }

  private expectWord(word: string): void {
    this.expectKeyword(word);
  }

  private acceptOp(op: string): boolean {
    const token = this.peek();
    if (token.kind !== "op" || token.text !== op) return false;
    this.position++;
    return true;
  }

  private expectOp(op: string): void {
    if (!this.acceptOp(op)) throw this.error(`'${op}'`);
  }

  private expectEnd(): void {
    if (this.peek().kind !== "eof") throw this.error("the end of the statement");
  }

  /** An identifier (not a reserved word) or a quoted identifier. */
  private name(what: string): string {
    const token = this.peek();
    if (token.kind === "quoted" || (token.kind === "ident" && !RESERVED.has(token.text.toLowerCase()))) {
      this.position++;
      return token.text;
    }
    throw this.error(what);
  }

  /**
   * Each tree level costs the parser a bounded number of nested calls, so bounding the call depth
   * (PARSE_DEPTH_FACTOR frames per level) bounds both the stack and the depth of the result.
   */
  private checkDepth(depth: number): void {
    if (depth > MAX_EXPR_DEPTH * PARSE_DEPTH_FACTOR) {
      throw this.error(`an expression nested at most ${MAX_EXPR_DEPTH} levels deep (simplify the query)`);
    }
  }

  private error(expected: string): EvoDBError {
    return this.errorAt(this.peek(), expected);
  }

  private errorAt(token: Token, expected: string, found?: string): EvoDBError {
    return parseError(this.source, token.offset, expected, found ?? describeToken(token));
  }
}

function describeToken(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "the end of the text";
    case "string":
      return `the string '${token.text.length > 40 ? token.text.slice(0, 40) + "…" : token.text}'`;
    case "quoted":
      return `the name "${token.text.length > 40 ? token.text.slice(0, 40) + "…" : token.text}"`;
    default:
      return `'${token.text.length > 40 ? token.text.slice(0, 40) + "…" : token.text}'`;
  }
}
