import { describe, expect, it } from "vitest";
import { decodeColumnChunk, parseBlockFooter, shred, writeBlock, type JsonValue, type ShreddedBatch } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { BatchView, allRows, filterRows, q, type CompareOp, type Expr, type Literal } from "../src/index";

/**
 * The vectorised evaluator (typed fast paths, slow-row fix-ups, overflow lookups) against a
 * row-at-a-time oracle written from docs/query.md alone, on seeded documents whose paths mix
 * types, nulls, missing members, objects, arrays and overflowed members.
 */
type Truth = boolean | null;

function valueAt(doc: JsonValue, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = doc;
  for (const key of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, JsonValue>)[key];
  }
  return current;
}

function rank(v: JsonValue): number {
  return typeof v === "boolean" ? 1 : typeof v === "number" ? 2 : typeof v === "string" ? 3 : 4;
}

function codePointCompare(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** Order of two non-null values per docs/query.md section 3 (nested values never meet here). */
function order(a: JsonValue, b: JsonValue): number {
  if (rank(a) !== rank(b)) return rank(a) < rank(b) ? -1 : 1;
  if (typeof a === "string") return codePointCompare(a, b as string);
  if (typeof a === "number" || typeof a === "boolean") return Number(a) === Number(b) ? 0 : Number(a) < Number(b) ? -1 : 1;
  return JSON.stringify(a) === JSON.stringify(b) ? 0 : 2;
}

function compare(op: CompareOp, a: JsonValue | undefined, b: Literal): Truth {
  if (a === undefined || a === null || b === null) return null;
  const c = order(a, b);
  if (c === 2) return op === "!=";
  return { "=": c === 0, "!=": c !== 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0 }[op];
}

function like(value: JsonValue | undefined, pattern: string): Truth {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return false;
  const regex = new RegExp(`^${Array.from(pattern, (c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("")}$`, "su");
  return regex.test(value);
}

const not = (t: Truth): Truth => (t === null ? null : !t);

function oracle(expr: Expr, doc: JsonValue): Truth {
  switch (expr.kind) {
    case "compare":
      return compare(expr.op, valueAt(doc, (expr.left as { path: readonly string[] }).path), (expr.right as { value: Literal }).value);
    case "isNull": {
      const v = valueAt(doc, (expr.expr as { path: readonly string[] }).path);
      return (v === undefined || v === null) !== expr.negated;
    }
    case "in": {
      const v = valueAt(doc, (expr.expr as { path: readonly string[] }).path);
      let result: Truth = false;
      for (const item of expr.list) {
        const t = compare("=", v, (item as { value: Literal }).value);
        if (t === true) return expr.negated ? false : true;
        if (t === null) result = null;
      }
      return expr.negated ? not(result) : result;
    }
    case "between": {
      const v = valueAt(doc, (expr.expr as { path: readonly string[] }).path);
      const t = and([compare(">=", v, (expr.low as { value: Literal }).value), compare("<=", v, (expr.high as { value: Literal }).value)]);
      return expr.negated ? not(t) : t;
    }
    case "like": {
      const t = like(valueAt(doc, (expr.expr as { path: readonly string[] }).path), expr.pattern);
      return expr.negated ? not(t) : t;
    }
    case "and":
      return and(expr.args.map((a) => oracle(a, doc)));
    case "or":
      return not(and(expr.args.map((a) => not(oracle(a, doc)))));
    case "not":
      return not(oracle(expr.arg, doc));
    default:
      throw new Error(`oracle does not handle ${expr.kind}`);
  }
}

function and(values: Truth[]): Truth {
  if (values.includes(false)) return false;
  return values.includes(null) ? null : true;
}

const STRINGS = ["", "a", "ab", "b", "é", "\uE000", "😀", "ba", "a_b", "%"];
function randomValue(random: Random, depth: number): JsonValue | undefined {
  const r = random.int(0, 9);
  if (r === 0) return undefined;
  if (r === 1) return null;
  if (r <= 3) return random.int(-5, 5);
  if (r === 4) return random.int(-50, 50) / 10;
  if (r <= 6) return random.pick(STRINGS);
  if (r === 7) return random.chance(0.5);
  if (r === 8 && depth > 0) {
    const b = randomValue(random, depth - 1);
    return b === undefined ? {} : { b };
  }
  return [random.int(0, 3)];
}

function randomLiteral(random: Random): Literal {
  return random.pick<Literal>([null, true, false, 0, 2, -1.5, 3.5, "a", "b", "", "😀", "\uE000", "é"]);
}

function randomPredicate(random: Random, depth: number): Expr {
  if (depth > 0 && random.chance(0.35)) {
    const kind = random.pick(["and", "or", "not"] as const);
    if (kind === "not") return q.not(randomPredicate(random, depth - 1));
    return { kind, args: [randomPredicate(random, depth - 1), randomPredicate(random, depth - 1)] };
  }
  const path = random.pick([["a"], ["a", "b"], ["s"], ["x1"], ["missing"]]);
  const column = q.col(...path);
  switch (random.int(0, 4)) {
    case 0:
      return q.cmp(random.pick(["=", "!=", "<", "<=", ">", ">="] as const), column, q.lit(randomLiteral(random)));
    case 1:
      return { kind: "isNull", expr: column, negated: random.chance(0.5) };
    case 2:
      return { kind: "in", expr: column, list: [q.lit(randomLiteral(random)), q.lit(randomLiteral(random))], negated: random.chance(0.5) };
    case 3:
      return { kind: "between", expr: column, low: q.lit(randomLiteral(random)), high: q.lit(randomLiteral(random)), negated: random.chance(0.5) };
    default:
      return { kind: "like", expr: column, pattern: random.pick(["a%", "%b", "_", "%a_b%", "😀", "%"]), negated: random.chance(0.5) };
  }
}

/** The batch written as a block and read back with string dictionaries kept as codes, as the scanner reads it. */
function throughBlock(batch: ShreddedBatch): ShreddedBatch {
  const bytes = writeBlock(batch, { compression: "none" });
  const footer = parseBlockFooter(bytes, bytes.length);
  const columns = footer.columns.map((c, i) => decodeColumnChunk(footer, i, bytes.subarray(c.chunk.offset, c.chunk.offset + c.chunk.length), { keepStringCodes: true }));
  return { rowCount: footer.rowCount, columns };
}

describe("vectorised evaluator vs a row-at-a-time oracle", () => {
  it("agrees on 400 seeded batches x 10 predicates (mixed types, nulls, objects, overflow), as shredded and as decoded with dictionary codes", () => {
    const random = new Random(424242);
    const counters = { rowsEvaluatedOnCodes: 0 };
    let trueRows = 0;
    for (let trial = 0; trial < 400; trial++) {
      const docs: JsonValue[] = Array.from({ length: random.int(1, 40) }, () => {
        const doc: Record<string, JsonValue> = {};
        for (const key of ["a", "s", "x1", "x2", "x3"]) {
          const v = key === "s" ? (random.chance(0.8) ? random.pick(STRINGS) : randomValue(random, 0)) : randomValue(random, 2);
          if (v !== undefined) doc[key] = v;
        }
        return doc;
      });
      // A low path cap sends some members to overflow maps instead of columns.
      const batch = shred(docs, random.chance(0.3) ? { maxPaths: random.int(2, 5) } : {});
      const view = new BatchView(batch);
      // The same rows with string dictionaries kept as codes: predicates then run once per distinct value.
      const coded = new BatchView(throughBlock(batch), counters);
      for (let p = 0; p < 10; p++) {
        const predicate = randomPredicate(random, 2);
        const expected = docs.flatMap((doc, i) => (oracle(predicate, doc) === true ? [i] : []));
        for (const v of [view, coded]) {
          const actual = Array.from(filterRows({ view: v }, predicate, allRows(docs.length)));
          // Compare cheaply; only a mismatch pays for the full context in the failure message.
          if (actual.join() !== expected.join()) expect({ predicate, docs, coded: v === coded, rows: actual }).toEqual({ predicate, docs, coded: v === coded, rows: expected });
        }
        trueRows += expected.length;
      }
    }
    expect(trueRows).toBeGreaterThan(10_000);
    // The dictionary path was taken (and agreed with the oracle) on many rows.
    expect(counters.rowsEvaluatedOnCodes).toBeGreaterThan(5_000);
  }, 60_000);
});
