import { describe, expect, it } from "vitest";
import { Tag, type ShreddedBatch } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import {
  BatchView,
  allRows,
  blockMayMatch,
  compareStrings,
  filterRows,
  pathKey,
  pruneReason,
  q,
  type Expr,
  type Literal,
  type ZoneLookup,
  type ZoneStats,
} from "../src/index";
import { batch, col, type Cell } from "./batch-builders";

/** Exact stats of a batch, computed independently of the pruner (test oracle for soundness). */
function lookupFor(data: ShreddedBatch): ZoneLookup {
  const byPath = new Map(data.columns.map((c) => [pathKey(c.path), c]));
  return {
    stats(path) {
      const column = byPath.get(pathKey(path));
      if (column === undefined) return "absent";
      let min: Literal | undefined;
      let max: Literal | undefined;
      let nullCount = 0;
      let otherCount = 0;
      for (let row = 0; row < data.rowCount; row++) {
        const tag = column.tags[row];
        if (tag === Tag.Missing || tag === Tag.Null) nullCount++;
        else if (tag !== Tag.Value) otherCount++;
        else if (column.type !== "none") {
          const v: Literal = column.type === "bool" ? column.values[row] === 1 : column.values[row]!;
          const less = (a: Literal, b: Literal) => (typeof a === "string" ? compareStrings(a, b as string) < 0 : (a as number) < (b as number));
          if (min === undefined || less(v, min)) min = v;
          if (max === undefined || less(max, v)) max = v;
        }
      }
      const stats: ZoneStats = { rowCount: data.rowCount, nullCount, otherCount, ...(min !== undefined ? { min, max } : {}) };
      return stats;
    },
    mayContain(path, value) {
      const column = byPath.get(pathKey(path));
      if (column === undefined || column.type === "none") return false;
      for (let row = 0; row < data.rowCount; row++) {
        if (column.tags[row] === Tag.Value && (column.type === "bool" ? column.values[row] === 1 : column.values[row]) === value) return true;
      }
      return false;
    },
  };
}

function randomCell(random: Random, kind: "int" | "string"): Cell {
  const r = random.next();
  if (r < 0.1) return undefined;
  if (r < 0.2) return null;
  if (r < 0.25) return kind === "int" ? "s" + random.int(0, 9) : random.int(0, 20);
  return kind === "int" ? random.int(-10, 30) : "k" + String.fromCharCode(97 + random.int(0, 8));
}

function randomPredicate(random: Random, depth: number): Expr {
  const r = random.next();
  if (depth > 0 && r < 0.3) {
    const args = [randomPredicate(random, depth - 1), randomPredicate(random, depth - 1)];
    return random.chance(0.5) ? q.and(...args) : q.or(...args);
  }
  if (depth > 0 && r < 0.4) return q.not(randomPredicate(random, depth - 1));
  const useInt = random.chance(0.5);
  const path = random.chance(0.1) ? q.col("nope") : q.col(useInt ? "n" : "s");
  const literal = (): Literal => (useInt ? random.int(-15, 35) : "k" + String.fromCharCode(96 + random.int(0, 10)));
  const op = random.pick(["=", "!=", "<", "<=", ">", ">="] as const);
  switch (random.int(0, 4)) {
    case 0:
      return { kind: "isNull", expr: path, negated: random.chance(0.5) };
    case 1:
      return { kind: "in", expr: path, list: [q.lit(literal()), q.lit(literal())], negated: random.chance(0.3) };
    case 2:
      return { kind: "between", expr: path, low: q.lit(literal()), high: q.lit(literal()), negated: random.chance(0.3) };
    case 3:
      return { kind: "like", expr: path, pattern: random.pick(["k%", "kc%", "z%", "%a", "k_"]), negated: random.chance(0.3) };
    default:
      return random.chance(0.5) ? q.cmp(op, path, q.lit(literal())) : q.cmp(op, q.lit(literal()), path);
  }
}

describe("zone-map pruning", () => {
  it("never prunes a block that has a matching row (seeded property, 3,000 cases)", () => {
    const random = new Random(20260501);
    let pruned = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const n = random.int(1, 12);
      const narrow = random.chance(0.5);
      const cells = (kind: "int" | "string") => Array.from({ length: n }, () => (narrow && random.chance(0.7) ? null : randomCell(random, kind)));
      const data = batch(n, col(["n"], "int", cells("int")), col(["s"], "string", cells("string")));
      const predicate = randomPredicate(random, 2);
      const matches = filterRows({ view: new BatchView(data) }, predicate, allRows(n)).length;
      const reason = pruneReason(predicate, lookupFor(data));
      if (reason !== undefined) {
        pruned++;
        expect({ predicate, matches }).toEqual({ predicate, matches: 0 });
      }
    }
    // The property is only meaningful if pruning actually happens often.
    expect(pruned).toBeGreaterThan(300);
  });

  it("prunes by range, null count, absence and bloom filter", () => {
    const data = batch(3, col(["n"], "int", [10, 20, null]), col(["s"], "string", ["kb", "kd", "kf"]));
    const lookup = lookupFor(data);
    expect(blockMayMatch(q.cmp(">", q.col("n"), q.lit(20)), lookup)).toBe(false);
    expect(blockMayMatch(q.cmp(">=", q.col("n"), q.lit(20)), lookup)).toBe(true);
    expect(blockMayMatch(q.cmp("=", q.col("missing"), q.lit(1)), lookup)).toBe(false);
    expect(pruneReason(q.cmp("=", q.col("s"), q.lit("kc")), lookup)).toBe("bloom");
    expect(pruneReason(q.cmp("=", q.col("s"), q.lit("kz")), lookup)).toBe("zone-map");
    expect(pruneReason({ kind: "like", expr: q.col("s"), pattern: "ka%", negated: false }, lookup)).toBe("zone-map");
    expect(pruneReason({ kind: "like", expr: q.col("s"), pattern: "kd%", negated: false }, lookup)).toBe(undefined);
    expect(blockMayMatch({ kind: "isNull", expr: q.col("s"), negated: false }, lookup)).toBe(false);
  });

  it("does not range-prune when variants of other kinds may be present", () => {
    const data = batch(2, col(["n"], "int", [1, "text"]));
    const stats = lookupFor(data).stats(["n"]) as ZoneStats;
    const unknownOthers: ZoneLookup = { stats: () => ({ rowCount: stats.rowCount, min: stats.min!, max: stats.max!, nullCount: 0 }) };
    // "text" > 100 under the kind-rank rule, so the block must not be pruned.
    expect(filterRows({ view: new BatchView(data) }, q.cmp(">", q.col("n"), q.lit(100)), allRows(2)).length).toBe(1);
    expect(blockMayMatch(q.cmp(">", q.col("n"), q.lit(100)), unknownOthers)).toBe(true);
    expect(blockMayMatch(q.cmp("=", q.col("n"), q.lit(100)), unknownOthers)).toBe(false);
  });
});
