import { describe, expect, it } from "vitest";
import { isEvoDBError } from "@evodb/core";
import { BatchView, filterRows, allRows, runQuery, q, type Expr, type Query } from "../src/index";
import { OBJ, batch, col } from "./batch-builders";

// x: 1, NULL, missing, 5, "a" (variant), {…} (object)
const sample = batch(
  6,
  col(["x"], "int", [1, null, undefined, 5, "a", OBJ]),
  col(["x", "y"], "int", [undefined, undefined, undefined, undefined, undefined, 7]),
  col(["s"], "string", ["apple", "banana", null, "apricot", undefined, "😀x"]),
);

function rows(where: Expr): number[] {
  return Array.from(filterRows({ view: new BatchView(sample) }, where, allRows(sample.rowCount)));
}

const x = q.col("x");

describe("three-valued predicates", () => {
  it("comparisons skip NULL and missing, and compare across kinds by kind rank", () => {
    expect(rows(q.cmp("=", x, q.lit(1)))).toEqual([0]);
    expect(rows(q.cmp("!=", x, q.lit(1)))).toEqual([3, 4, 5]);
    expect(rows(q.cmp(">", x, q.lit(2)))).toEqual([3, 4, 5]);
    expect(rows(q.cmp("<", q.lit(2), x))).toEqual([3, 4, 5]);
    expect(rows(q.cmp("=", x, q.lit(null)))).toEqual([]);
  });
  it("NOT of unknown stays unknown", () => {
    expect(rows(q.not(q.cmp("=", x, q.lit(1))))).toEqual([3, 4, 5]);
  });
  it("AND / OR follow the truth tables with NULL", () => {
    const isNull: Expr = { kind: "isNull", expr: x, negated: false };
    expect(rows(q.or(q.cmp("=", x, q.lit(5)), isNull))).toEqual([1, 2, 3]);
    expect(rows(q.and(q.cmp(">=", x, q.lit(1)), q.cmp("<=", x, q.lit(5))))).toEqual([0, 3]);
    // NULL OR TRUE is TRUE; NULL AND FALSE is FALSE, so NOT(...) is TRUE.
    expect(rows(q.or(q.cmp("=", x, q.lit(1)), q.lit(true)))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows(q.not(q.and(q.cmp("=", x, q.lit(1)), q.lit(false))))).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it("IS [NOT] NULL treats missing and JSON null alike; objects are not null", () => {
    expect(rows({ kind: "isNull", expr: x, negated: false })).toEqual([1, 2]);
    expect(rows({ kind: "isNull", expr: x, negated: true })).toEqual([0, 3, 4, 5]);
    expect(rows({ kind: "isNull", expr: q.col("nope"), negated: false })).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it("IN with a NULL in the list never yields FALSE", () => {
    const inList = (negated: boolean, ...values: (number | string | null)[]): Expr => ({
      kind: "in",
      expr: x,
      list: values.map((v) => q.lit(v)),
      negated,
    });
    expect(rows(inList(false, 1, "a"))).toEqual([0, 4]);
    expect(rows(inList(true, 1, "a"))).toEqual([3, 5]);
    expect(rows(inList(true, 1, null))).toEqual([]);
  });
  it("BETWEEN and LIKE", () => {
    expect(rows({ kind: "between", expr: x, low: q.lit(0), high: q.lit(5), negated: false })).toEqual([0, 3]);
    expect(rows({ kind: "like", expr: q.col("s"), pattern: "ap%", negated: false })).toEqual([0, 3]);
    expect(rows({ kind: "like", expr: q.col("s"), pattern: "_x", negated: false })).toEqual([5]);
    expect(rows({ kind: "like", expr: q.col("s"), pattern: "%an_n%", negated: true })).toEqual([0, 3, 5]);
  });
  it("nested paths read through objects", () => {
    expect(rows(q.cmp("=", q.col("x", "y"), q.lit(7)))).toEqual([5]);
  });
});

describe("QueryRunner", () => {
  const run = (query: Omit<Query, "from">) => runQuery({ from: "t", ...query }, [sample, sample]);
  it("projects paths and whole objects", async () => {
    const result = await run({ select: [{ kind: "expr", expr: x }, { kind: "expr", expr: q.col("s"), alias: "fruit" }], limit: 7 });
    expect(result.columns).toEqual(["x", "fruit"]);
    expect(result.rows.slice(0, 6)).toEqual([
      { x: 1, fruit: "apple" },
      { x: null, fruit: "banana" },
      { x: null, fruit: null },
      { x: 5, fruit: "apricot" },
      { x: "a", fruit: null },
      { x: { y: 7 }, fruit: "😀x" },
    ]);
    expect(result.rows).toHaveLength(7);
  });
  it("aggregates with and without groups", async () => {
    const total = await run({
      select: [
        { kind: "expr", expr: q.agg("count") },
        { kind: "expr", expr: q.agg("count", x) },
        { kind: "expr", expr: q.agg("sum", x) },
        { kind: "expr", expr: q.agg("count", q.col("s"), true) },
        { kind: "expr", expr: q.agg("max", q.col("s")) },
      ],
    });
    expect(total.rows).toEqual([{ "count(*)": 12, "count(x)": 8, "sum(x)": 12, "count(DISTINCT s)": 4, "max(s)": "😀x" }]);
    const empty = await runQuery({ from: "t", select: [{ kind: "expr", expr: q.agg("count") }, { kind: "expr", expr: q.agg("sum", x) }] }, []);
    expect(empty.rows).toEqual([{ "count(*)": 0, "sum(x)": null }]);
  });
  it("orders with NULLS LAST by default and applies OFFSET/LIMIT after sorting", async () => {
    const result = await run({
      select: [{ kind: "expr", expr: q.col("s") }],
      orderBy: [{ expr: q.col("s"), direction: "desc" }],
      limit: 3,
      offset: 1,
    });
    expect(result.rows.map((r) => r.s)).toEqual(["😀x", "banana", "banana"]);
  });
  it("refuses a bare column next to an aggregate", async () => {
    await expect(run({ select: [{ kind: "expr", expr: x }, { kind: "expr", expr: q.agg("count") }] })).rejects.toSatisfy((e) =>
      isEvoDBError(e, "QUERY_INVALID"),
    );
  });
});
