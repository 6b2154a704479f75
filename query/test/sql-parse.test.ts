import { describe, expect, it } from "vitest";
import { EvoDBError, isEvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { q, validateQuery, type Expr, type Query } from "@evodb/reader";
import { formatSql, parseSql } from "../src/index";

function parseError(sql: string): EvoDBError {
  try {
    parseSql(sql);
  } catch (error) {
    if (error instanceof EvoDBError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe("parseSql", () => {
  it("parses the full clause set into the query object", () => {
    const { explain, query } = parseSql(`
      EXPLAIN SELECT user.name, "weird key"."a.b" AS w, count(*), COUNT(DISTINCT geo.country) n, sum(price * qty) / 2
      FROM events FOR TIMESTAMP AS OF '2026-01-05T08:00:00Z'
      WHERE type IN ('click', 'view') AND NOT (age BETWEEN 18 AND 30) AND page.title LIKE 'Ho%' AND error IS NOT NULL
        AND x <> -5
      GROUP BY user.name, "weird key"."a.b"
      HAVING count(*) > 1
      ORDER BY n DESC NULLS FIRST, user.name
      LIMIT 10 OFFSET 5;`);
    expect(explain).toBe(true);
    expect(query).toEqual<Query>({
      select: [
        { kind: "expr", expr: q.col("user", "name") },
        { kind: "expr", expr: q.col("weird key", "a.b"), alias: "w" },
        { kind: "expr", expr: q.agg("count") },
        { kind: "expr", expr: q.agg("count", q.col("geo", "country"), true), alias: "n" },
        {
          kind: "expr",
          expr: { kind: "arith", op: "/", left: q.agg("sum", { kind: "arith", op: "*", left: q.col("price"), right: q.col("qty") }), right: q.lit(2) },
        },
      ],
      from: "events",
      snapshot: { kind: "timestamp", timestamp: "2026-01-05T08:00:00Z" },
      where: q.and(
        { kind: "in", expr: q.col("type"), list: [q.lit("click"), q.lit("view")], negated: false },
        q.not({ kind: "between", expr: q.col("age"), low: q.lit(18), high: q.lit(30), negated: false }),
        { kind: "like", expr: q.col("page", "title"), pattern: "Ho%", negated: false },
        { kind: "isNull", expr: q.col("error"), negated: true },
        q.cmp("!=", q.col("x"), q.lit(-5)),
      ),
      groupBy: [q.col("user", "name"), q.col("weird key", "a.b")],
      having: q.cmp(">", q.agg("count"), q.lit(1)),
      orderBy: [
        { expr: q.col("n"), direction: "desc", nulls: "first" },
        { expr: q.col("user", "name"), direction: "asc" },
      ],
      limit: 10,
      offset: 5,
    });
  });

  it("honours precedence: * over +, comparison over NOT, AND over OR", () => {
    const { query } = parseSql("SELECT 1 + 2 * 3 AS v FROM t WHERE NOT a = 1 OR b = 2 AND c = 3");
    expect(query.select[0]).toEqual({ kind: "expr", alias: "v", expr: { kind: "arith", op: "+", left: q.lit(1), right: { kind: "arith", op: "*", left: q.lit(2), right: q.lit(3) } } });
    expect(query.where).toEqual(q.or(q.not(q.cmp("=", q.col("a"), q.lit(1))), q.and(q.cmp("=", q.col("b"), q.lit(2)), q.cmp("=", q.col("c"), q.lit(3)))));
  });

  it("reads snapshot ids, star, quoted quotes and comments", () => {
    const { query } = parseSql(`SELECT *, "say ""hi""" FROM t /* c */ FOR SNAPSHOT AS OF 42 -- tail\nWHERE s = 'it''s'`);
    expect(query.select).toEqual([{ kind: "star" }, { kind: "expr", expr: q.col('say "hi"') }]);
    expect(query.snapshot).toEqual({ kind: "id", id: "42" });
    expect(query.where).toEqual(q.cmp("=", q.col("s"), q.lit("it's")));
  });

  it.each([
    ["SELECT FROM t", "1:8", "an expression"],
    ["SELECT a FROM t WHERE", "1:22", "an expression"],
    ["SELECT a\nFROM t\nWHERE a = = 1", "3:11", "an expression"],
    ["SELECT a FROM t LIMIT -1", "1:23", "a non-negative integer after LIMIT"],
    ["SELECT a FROM t WHERE sum(a) > 1", "1:23", "no aggregate here"],
    ["SELECT a FROM t WHERE a LIKE b", "1:30", "a string pattern after LIKE"],
    ["SELECT 'abc FROM t", "1:8", "the closing '"],
    ["SELECT lower(a) FROM t", "1:8", "other functions are not supported"],
    ["SELECT a FROM t FOR TIMESTAMP AS OF 'yesterday'", "1:37", "an ISO-8601 timestamp"],
    ["SELECT a FROM t extra", "1:17", "the end of the statement"],
    ["SELECT a FROM select", "1:15", "a table name"],
    ["SELECT a FROM t WHERE a = 1e", "1:29", "digits of the exponent"],
  ])("reports %j at %s expecting %s", (sql, at, expected) => {
    const error = parseError(sql);
    expect(error.code).toBe("QUERY_PARSE");
    expect(error.message).toContain(`at ${at}:`);
    expect(error.message).toContain(expected);
  });

  it("refuses queries that break the aggregation rules", () => {
    expect(parseError("SELECT a, count(*) FROM t").code).toBe("QUERY_INVALID");
    expect(parseError("SELECT * FROM t GROUP BY a").code).toBe("QUERY_INVALID");
    expect(parseError("SELECT sum(count(*)) FROM t").code).toBe("QUERY_PARSE");
    expect(parseSql("SELECT a, count(*) AS n FROM t GROUP BY a ORDER BY n").query.orderBy).toHaveLength(1);
  });
});

describe("hostile SQL", () => {
  it("deep parenthesis nesting is an error, not a stack overflow", () => {
    const depth = 100_000;
    expect(parseError(`SELECT ${"(".repeat(depth)}1${")".repeat(depth)} FROM t`).code).toBe("QUERY_PARSE");
    expect(parseError(`SELECT a FROM t WHERE ${"NOT ".repeat(depth)}a`).code).toBe("QUERY_PARSE");
    expect(parseError(`SELECT ${"-".repeat(depth)}1 FROM t`).code).toBe("QUERY_PARSE");
  });
  it("long operator chains are bounded too", () => {
    const error = parseError(`SELECT ${Array.from({ length: 50_000 }, () => "a").join(" + ")} FROM t`);
    expect(["QUERY_PARSE", "LIMIT_EXCEEDED"]).toContain(error.code);
    // A long flat AND is not deep: it is one node with many arguments.
    const flat = parseSql(`SELECT a FROM t WHERE ${Array.from({ length: 5_000 }, (_, i) => `a != ${i}`).join(" AND ")}`);
    expect(flat.query.where?.kind === "and" && flat.query.where.args.length).toBe(5_000);
  });
  it("a 1 MB string literal parses; text past the length limit is refused", () => {
    const big = "x".repeat(1_000_000);
    expect(parseSql(`SELECT a FROM t WHERE a = '${big}'`).query.where).toEqual(q.cmp("=", q.col("a"), q.lit(big)));
    expect(parseError(`SELECT a FROM t WHERE a = '${big}${big}'`).code).toBe("LIMIT_EXCEEDED");
  });
  it("random token soup only ever yields a query or an EvoDBError (2,000 seeded cases)", () => {
    const random = new Random(7);
    const pieces = ["SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "(", ")", ",", "'s'", '"q"', "a", "b.c", "1", "-", "*", "=", "<", "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "BETWEEN", "count", "LIMIT", "'", '"', ".", "/*", "--", "\n", "é", "😀", "1e", "FOR", "SNAPSHOT", "AS", "OF"];
    let parsed = 0;
    for (let i = 0; i < 2000; i++) {
      const length = random.int(1, 25);
      const head = random.chance(0.7) ? "SELECT a FROM t " : "";
      const sql = head + Array.from({ length }, () => random.pick(pieces)).join(random.chance(0.5) ? " " : "");
      try {
        parseSql(sql);
        parsed++;
      } catch (error) {
        expect(isEvoDBError(error), `${sql}: ${String(error)}`).toBe(true);
      }
    }
    expect(parsed).toBeLessThan(2000);
  });
});

/** Random valid query objects for the round trip. */
function randomQuery(random: Random): Query {
  const key = () => random.pick(["a", "b", "user", "weird key", "select", "ünï", "", 'q"t', "x1", "count"]);
  const path = (): string[] => Array.from({ length: random.int(1, 3) }, key);
  const literal = (): Expr =>
    q.lit(random.pick([null, true, false, 0, -0, 7, -3.5, 1e21, 2.5e-7, Number.MAX_SAFE_INTEGER, "", "it's", "😀", "\ud800"]));
  const scalar = (depth: number): Expr => {
    if (depth <= 0 || random.chance(0.4)) return random.chance(0.6) ? q.col(...path()) : literal();
    if (random.chance(0.2)) return { kind: "negate", arg: scalar(depth - 1) };
    return { kind: "arith", op: random.pick(["+", "-", "*", "/", "%"] as const), left: scalar(depth - 1), right: scalar(depth - 1) };
  };
  const predicate = (depth: number): Expr => {
    const r = random.int(0, depth <= 0 ? 5 : 8);
    switch (r) {
      case 0:
        return q.cmp(random.pick(["=", "!=", "<", "<=", ">", ">="] as const), scalar(2), scalar(2));
      case 1:
        return { kind: "in", expr: scalar(1), list: Array.from({ length: random.int(1, 4) }, () => scalar(1)), negated: random.chance(0.5) };
      case 2:
        return { kind: "between", expr: scalar(1), low: scalar(1), high: scalar(1), negated: random.chance(0.5) };
      case 3:
        return { kind: "isNull", expr: scalar(1), negated: random.chance(0.5) };
      case 4:
        return { kind: "like", expr: scalar(1), pattern: random.pick(["a%", "%_'%", ""]), negated: random.chance(0.5) };
      case 5:
        return scalar(1);
      case 6:
        return q.not(predicate(depth - 1));
      default:
        return { kind: random.chance(0.5) ? "and" : "or", args: Array.from({ length: random.int(2, 3) }, () => predicate(depth - 1)) };
    }
  };
  const query: { -readonly [K in keyof Query]: Query[K] } = { select: [], from: random.pick(["t", "events", "weird table", "order"]) };
  if (random.chance(0.4)) {
    const groupBy = Array.from({ length: random.int(1, 2) }, () => scalar(1));
    query.groupBy = groupBy;
    const aggregate = (): Expr =>
      random.chance(0.2) ? q.agg("count") : q.agg(random.pick(["count", "sum", "avg", "min", "max"] as const), scalar(1), random.chance(0.3));
    query.select = [
      ...groupBy.map((expr) => ({ kind: "expr" as const, expr })),
      { kind: "expr", expr: aggregate(), alias: key() },
      { kind: "expr", expr: { kind: "arith", op: "+", left: aggregate(), right: groupBy[0]! } },
    ];
    if (random.chance(0.5)) query.having = q.cmp(">", aggregate(), literal());
    if (random.chance(0.5)) query.orderBy = [{ expr: aggregate(), direction: "desc", nulls: "first" }];
  } else {
    query.select = random.chance(0.2) ? [{ kind: "star" }] : Array.from({ length: random.int(1, 3) }, () => ({ kind: "expr" as const, expr: scalar(2) }));
    if (random.chance(0.5)) query.orderBy = [{ expr: scalar(1), direction: random.pick(["asc", "desc"] as const) }];
  }
  if (random.chance(0.7)) query.where = predicate(3);
  if (random.chance(0.3)) query.snapshot = random.chance(0.5) ? { kind: "id", id: String(random.int(1, 1e6)) } : { kind: "timestamp", timestamp: "2026-03-01T10:00:00.000Z" };
  if (random.chance(0.4)) query.limit = random.int(0, 1000);
  if (random.chance(0.3)) query.offset = random.int(0, 1000);
  return validateQuery(query);
}

describe("round trip", () => {
  it("parseSql(formatSql(q)) rebuilds q exactly (1,000 seeded random queries)", () => {
    const random = new Random(99);
    for (let i = 0; i < 1000; i++) {
      const query = randomQuery(random);
      const explain = random.chance(0.2);
      const sql = formatSql(query, explain);
      expect(parseSql(sql), sql).toEqual({ explain, query });
    }
  });
});
