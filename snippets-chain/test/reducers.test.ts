import { describe, expect, it } from "vitest";
import { isEvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import {
  addMax,
  addMin,
  addToAvg,
  addToSum,
  avgReducer,
  concatReducer,
  countReducer,
  distinctReducer,
  emptySum,
  finalizeSum,
  hllStandardError,
  maxReducer,
  minReducer,
  recordReducer,
  sumReducer,
  topKReducer,
  type Reducer,
} from "../src/index";

interface Row {
  id: string;
  value: number;
  tag: string;
}

const topK = topKReducer(7);
const concat = concatReducer<string>(40);
const distinct = distinctReducer({ precision: 10, exactLimit: 64 });
const everything = recordReducer({
  count: countReducer(),
  sum: sumReducer(),
  min: minReducer(),
  max: maxReducer(),
  avg: avgReducer(),
  top: topK,
  ids: concat,
  tags: distinct,
});
type Everything = typeof everything extends Reducer<infer P, unknown> ? P : never;

/** The map function a leaf would run: one partial for a slice of rows. */
function mapRows(rows: readonly Row[]): Everything {
  const p = everything.empty();
  for (const row of rows) {
    p.count.count++;
    addToSum(p.sum, row.value);
    addMin(p.min, row.value);
    addMax(p.max, row.value);
    addToAvg(p.avg, row.value);
    topK.add(p.top, row.id, row.value);
    concat.add(p.ids, row.id);
    distinct.add(p.tags, row.tag);
  }
  return p;
}

/** Every partial crosses the wire as JSON text between nodes, so the tests do too. */
function wire(p: Everything): Everything {
  return everything.decode(JSON.parse(JSON.stringify(everything.encode(p))));
}

/** Merges the partials of partitions [lo, hi) in a random tree shape, keeping partition order. */
function mergeRandomTree(random: Random, parts: readonly Everything[], lo: number, hi: number): Everything {
  if (hi - lo === 0) return everything.empty();
  if (hi - lo === 1) return wire(parts[lo]!);
  const cuts = new Set<number>();
  const width = random.int(2, Math.min(5, hi - lo));
  while (cuts.size < width - 1) cuts.add(random.int(lo + 1, hi - 1));
  const bounds = [lo, ...[...cuts].sort((a, b) => a - b), hi];
  let acc = everything.empty();
  for (let i = 0; i + 1 < bounds.length; i++) acc = everything.merge(acc, mergeRandomTree(random, parts, bounds[i]!, bounds[i + 1]!));
  return wire(acc);
}

function randomValue(random: Random): number {
  switch (random.int(0, 3)) {
    case 0: return random.int(-1_000_000, 1_000_000);
    case 1: return (random.next() - 0.5) * 10 ** random.int(-20, 20);
    case 2: return random.pick([0.1, 0.2, 0.3, 1e16, -1e16, 2 ** 53 - 1]);
    default: return random.int(0, 50);
  }
}

function randomRows(random: Random, n: number, distinctTags: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) rows.push({ id: `r${i}`, value: randomValue(random), tag: `t${random.int(0, distinctTags - 1)}` });
  return rows;
}

function splitRandomly(random: Random, rows: readonly Row[]): Row[][] {
  const parts: Row[][] = [];
  let at = 0;
  while (at < rows.length) {
    const size = random.int(0, Math.max(1, Math.floor(rows.length / 8)));
    parts.push(rows.slice(at, at + size));
    at += size;
  }
  if (random.chance(0.5)) parts.push([]);
  return parts;
}

describe("reducers: any tree of merges equals one node", () => {
  it("seeded random data, random partitions, random tree shapes", () => {
    const random = new Random(20261125);
    for (let trial = 0; trial < 40; trial++) {
      const rows = randomRows(random, random.int(0, 600), random.pick([5, 60, 500]));
      const single = everything.finalize(mapRows(rows));
      const parts = splitRandomly(random, rows).map(mapRows);
      const merged = everything.finalize(mergeRandomTree(random, parts, 0, parts.length));
      expect(merged).toEqual(single);

      // Independent references computed from the raw rows.
      expect(single.count).toBe(rows.length);
      expect(single.min).toBe(rows.length === 0 ? null : Math.min(...rows.map((r) => r.value)));
      expect(single.max).toBe(rows.length === 0 ? null : Math.max(...rows.map((r) => r.value)));
      const sorted = [...rows].sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      expect(single.top).toEqual(sorted.slice(0, 7).map((r) => ({ id: r.id, score: r.value })));
      expect(single.ids).toEqual({ items: rows.slice(0, 40).map((r) => r.id), truncated: rows.length > 40 });
      const trueDistinct = new Set(rows.map((r) => r.tag)).size;
      if (trueDistinct <= 64) expect(single.tags).toBe(trueDistinct);
      else expect(Math.abs(single.tags - trueDistinct) / trueDistinct).toBeLessThan(5 * hllStandardError(10));
    }
  });

  it("integer sums are exact against BigInt, including totals past 2^53 in partials", () => {
    const random = new Random(99);
    for (let trial = 0; trial < 30; trial++) {
      const values: number[] = [];
      for (let i = random.int(0, 300); i > 0; i--) values.push(random.int(0, 1) ? 2 ** 53 - 1 - random.int(0, 1000) : -(2 ** 53 - 1) + random.int(0, 1000));
      const sum = emptySum();
      for (const v of values) addToSum(sum, v);
      const exact = values.reduce((acc, v) => acc + BigInt(v), 0n);
      expect(finalizeSum(sum)).toBe(Number(exact));
    }
  });

  it("named float edge cases: cancellation, 0.1 x 10, empty, one value, infinities", () => {
    const sumOf = (values: number[]): number => {
      const s = emptySum();
      for (const v of values) addToSum(s, v);
      return finalizeSum(sumReducer().decode(JSON.parse(JSON.stringify(sumReducer().encode(s)))));
    };
    expect(sumOf([1e100, 1, -1e100])).toBe(1);
    expect(sumOf(Array(10).fill(0.1))).toBe(1);
    expect(sumOf([])).toBe(0);
    expect(sumOf([2 ** 53 - 1])).toBe(2 ** 53 - 1);
    expect(sumOf([1, Infinity, 5])).toBe(Infinity);
    expect(sumOf([Infinity, -Infinity])).toBeNaN();
    expect(() => sumOf([Number.MAX_VALUE, Number.MAX_VALUE])).toThrow(expect.objectContaining({ code: "LIMIT_EXCEEDED" }));
    expect(avgReducer().finalize(avgReducer().empty())).toBeNull();
    expect(minReducer().finalize(minReducer().empty())).toBeNull();
    const min = minReducer().empty();
    addMin(min, -Infinity);
    expect(minReducer().decode(JSON.parse(JSON.stringify(minReducer().encode(min))))).toEqual({ value: -Infinity });
  });

  it("HLL: merged sketch equals the sketch of the whole data, estimate within the documented error", () => {
    const reducer = distinctReducer({ precision: 12, exactLimit: 100 });
    const random = new Random(4242);
    const whole = reducer.empty();
    const parts = Array.from({ length: 25 }, () => reducer.empty());
    const truth = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const value = random.chance(0.5) ? `user-${random.int(0, 70_000)}` : random.int(0, 70_000);
      truth.add(typeof value === "number" ? `n${value}` : `s${value}`);
      reducer.add(whole, value);
      reducer.add(parts[random.int(0, 24)]!, value);
    }
    let merged = reducer.empty();
    for (const part of parts) merged = reducer.merge(merged, reducer.decode(JSON.parse(JSON.stringify(reducer.encode(part)))));
    expect(merged.registers).toEqual(whole.registers);
    const error = Math.abs(reducer.finalize(merged) - truth.size) / truth.size;
    // 4 standard errors: a seeded, deterministic check of the documented accuracy.
    expect(error).toBeLessThan(4 * hllStandardError(12));
  });

  it("distinct keeps numbers and strings apart and stays exact up to the limit", () => {
    const reducer = distinctReducer({ exactLimit: 3 });
    const p = reducer.empty();
    for (const v of [1, "1", 1, -0, 0]) reducer.add(p, v);
    expect(p.exact).not.toBeNull();
    expect(reducer.finalize(p)).toBe(3);
  });

  it("malformed wire partials give EvoDBError INVALID_ARGUMENT, never a wrong answer", () => {
    const random = new Random(5);
    const samples: unknown[] = [null, 1, "x", [], {}, { parts: [1, "2"] }, { parts: [NaN] }, [["a"]], { items: 3 }, { kind: "distinct(p=10,exact=64)", registers: "!!" }];
    for (let i = 0; i < 50; i++) samples.push(JSON.parse(JSON.stringify({ parts: [random.next()], nonFinite: random.pick(["x", 1, "NaN"]) })));
    let refused = 0;
    for (const sample of samples) {
      for (const reducer of [countReducer(), sumReducer(), minReducer(), avgReducer(), topK, concat, distinct, everything] as Reducer<unknown, unknown>[]) {
        try {
          reducer.decode(sample);
        } catch (error) {
          expect(isEvoDBError(error, "INVALID_ARGUMENT")).toBe(true);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(samples.length * 6);
    expect(() => distinct.decode({ kind: "distinct(p=10,exact=64)", registers: btoa("\u0022".repeat(1024)) })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});
