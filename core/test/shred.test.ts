import { describe, expect, it } from "vitest";
import { jsonDifference, randomDocuments, randomEventDocuments, Random, randomString } from "@evodb/test-utils";
import {
  columnByPath,
  DEFAULT_MAX_PATHS,
  isEvoDBError,
  pathToName,
  reassemble,
  shred,
  Tag,
  type JsonValue,
  type ShreddedBatch,
  type ShreddedColumn,
} from "../src/index";

/** Checks every promise of the ShreddedBatch contract in column.ts. */
function checkContract(batch: ShreddedBatch, docs: readonly JsonValue[], maxPaths = DEFAULT_MAX_PATHS): void {
  expect(batch.rowCount).toBe(docs.length);
  expect(batch.columns.length).toBeLessThanOrEqual(maxPaths);
  expect(batch.columns[0]?.path).toEqual([]);
  const seen = new Set<string>();
  // Plain comparisons with expect.fail on violation: an expect() per column or row would dominate
  // the run time of the property tests.
  const check = (ok: boolean, what: string): void => {
    if (!ok) expect.fail(what);
  };
  for (const column of batch.columns) {
    const name = pathToName(column.path);
    check(!seen.has(name), `duplicate column ${name}`);
    if (column.path.length > 0) check(seen.has(pathToName(column.path.slice(0, -1))), `parent of ${name} comes first`);
    seen.add(name);
    check(column.tags.length === batch.rowCount, `${name}: tags length`);
    if (column.type !== "none") check(column.values.length === batch.rowCount, `${name}: values length`);
    if (column.variants !== undefined) check(column.variants.length === batch.rowCount, `${name}: variants length`);
    if (column.overflow !== undefined) check(column.overflow.length === batch.rowCount, `${name}: overflow length`);
    let variantRows = 0;
    let overflowRows = 0;
    for (let row = 0; row < batch.rowCount; row++) {
      const tag = column.tags[row]!;
      if (tag > Tag.Variant) expect.fail(`${name} row ${row}: tag ${tag}`);
      if (column.type === "none") {
        if (tag === Tag.Value) expect.fail(`${name} row ${row}: Value row in a none column`);
      } else if (tag !== Tag.Value) {
        if (column.values[row] !== (column.type === "string" ? "" : 0)) expect.fail(`${name} row ${row}: non-Value slot holds ${String(column.values[row])}`);
      } else if (column.type === "int") {
        const value = column.values[row]!;
        if (!Number.isSafeInteger(value) || Object.is(value, -0)) expect.fail(`${name} row ${row}: int column holds ${value}`);
      }
      if (tag === Tag.Variant) variantRows++;
      else if (column.variants?.[row] !== undefined) expect.fail(`${name} row ${row}: variant value on a non-Variant row`);
      if (column.overflow?.[row] !== undefined) {
        if (tag !== Tag.Object) expect.fail(`${name} row ${row}: overflow on a non-Object row`);
        overflowRows++;
      }
    }
    check((column.variants !== undefined) === (variantRows > 0), `${name} has variants iff it has Variant rows`);
    check((column.overflow !== undefined) === (overflowRows > 0), `${name} has overflow iff a row overflowed`);
  }
}

function expectRoundTrip(docs: JsonValue[], maxPaths?: number): ShreddedBatch {
  const batch = shred(docs, maxPaths === undefined ? {} : { maxPaths });
  checkContract(batch, docs, maxPaths);
  const back = reassemble(batch);
  expect(back.length).toBe(docs.length);
  for (let i = 0; i < docs.length; i++) {
    const difference = jsonDifference(back[i], docs[i]);
    if (difference !== undefined) expect.fail(`row ${i}: ${difference}`);
  }
  return batch;
}

function column(batch: ShreddedBatch, ...path: string[]): ShreddedColumn {
  const found = columnByPath(batch, path);
  if (found === undefined) throw new Error(`no column ${pathToName(path)}`);
  return found;
}

// Property tests do real work on 10,000 documents; on a loaded 2-core machine that can take far
// longer than vitest's 5 s default, and tests never assert timings.
const PROPERTY_TIMEOUT_MS = 300_000;

describe("shred + reassemble round trip (seeded property tests)", { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it("round-trips 10,000 random documents exactly in one batch", () => {
    expectRoundTrip(randomDocuments(1, 10_000));
  });

  it("the random documents really contain the hostile cases (so the round trips are not vacuous)", () => {
    const seen = new Set<string>();
    const walk = (value: JsonValue, depth: number): void => {
      if (depth >= 5) seen.add("depth>=5");
      if (typeof value === "bigint") seen.add("bigint");
      else if (Object.is(value, -0)) seen.add("-0");
      else if (value === Number.MAX_SAFE_INTEGER) seen.add("2^53-1");
      else if (typeof value === "string") {
        if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) seen.add("lone surrogate");
        if (/[\ud800-\udbff][\udc00-\udfff]/.test(value)) seen.add("astral");
      } else if (Array.isArray(value)) {
        seen.add(value.length === 0 ? "[]" : "array");
        if (value.some((v) => typeof v === "object" && v !== null && !Array.isArray(v))) seen.add("array of objects");
        if (value.some(Array.isArray)) seen.add("nested array");
        for (const item of value) walk(item, depth + 1);
      } else if (typeof value === "object" && value !== null) {
        if (Object.keys(value).length === 0) seen.add("{}");
        for (const key of Object.keys(value)) {
          if (key === "") seen.add("empty key");
          if (key.includes(".")) seen.add("dotted key");
          if (key === "__proto__") seen.add("__proto__ key");
          if (value[key] === null) seen.add("null member");
          walk(value[key]!, depth + 1);
        }
      }
    };
    const docs = randomDocuments(1, 10_000);
    for (const doc of docs) {
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) seen.add("non-object root");
      walk(doc, 0);
    }
    expect([...seen].sort()).toEqual(
      [
        "-0", "2^53-1", "[]", "__proto__ key", "array", "array of objects", "astral", "bigint", "depth>=5", "dotted key",
        "empty key", "lone surrogate", "nested array", "non-object root", "null member", "{}",
      ].sort(),
    );
  });

  it("round-trips 10,000 random documents in batches of random sizes", () => {
    const random = new Random(2);
    const docs = randomDocuments(3, 10_000, { maxDepth: 7 });
    for (let start = 0; start < docs.length; ) {
      const size = random.int(1, 400);
      expectRoundTrip(docs.slice(start, start + size));
      start += size;
    }
  });

  it("round-trips random documents when the path cap forces overflow", () => {
    for (const maxPaths of [1, 2, 8, 64]) {
      const batch = expectRoundTrip(randomDocuments(100 + maxPaths, 2_000), maxPaths);
      expect(batch.columns.length).toBe(maxPaths);
      expect(batch.columns.some((c) => c.overflow !== undefined)).toBe(true);
    }
  });

  it("round-trips realistic event documents with one typed column per field", () => {
    const docs = randomEventDocuments(4, 5_000);
    const batch = expectRoundTrip(docs);
    expect(column(batch, "ts").type).toBe("int");
    expect(column(batch, "user", "score").type).toBe("float");
    expect(column(batch, "type").type).toBe("string");
    expect(column(batch, "ok").type).toBe("bool");
    expect(column(batch, "tags").type).toBe("none");
    expect(column(batch, "user").type).toBe("none");
  });
});

describe("main type and variants", () => {
  it("widens int to float when both occur and keeps every int exact", () => {
    const batch = expectRoundTrip([{ v: 1 }, { v: 2.5 }, { v: Number.MAX_SAFE_INTEGER }, { v: -0 }]);
    const v = column(batch, "v");
    expect(v.type).toBe("float");
    expect(Array.from(v.tags)).toEqual([Tag.Value, Tag.Value, Tag.Value, Tag.Value]);
    expect(v.variants).toBeUndefined();
  });

  it("picks the most frequent scalar type and sends the others to variants", () => {
    const batch = expectRoundTrip([{ v: "a" }, { v: 1 }, { v: "b" }, { v: true }, { v: "c" }, { v: null }, {}]);
    const v = column(batch, "v");
    expect(v.type).toBe("string");
    expect(Array.from(v.tags)).toEqual([Tag.Value, Tag.Variant, Tag.Value, Tag.Variant, Tag.Value, Tag.Null, Tag.Missing]);
    expect(v.type === "string" && v.values).toEqual(["a", "", "b", "", "c", "", ""]);
    expect(v.variants).toEqual([undefined, 1, undefined, true, undefined, undefined, undefined]);
  });

  it("keeps a float minority out of an int column", () => {
    const v = column(expectRoundTrip([{ v: 1 }, { v: 2 }, { v: 0.5 }, { v: -0 }, { v: 3 }]), "v");
    // 3 ints vs 2 floats: numbers win together, and any float makes the column float.
    expect(v.type).toBe("float");
    const w = column(expectRoundTrip([{ w: 1 }, { w: 2 }, { w: "x" }, { w: "y" }, { w: "z" }]), "w");
    expect(w.type).toBe("string");
    expect(w.variants).toEqual([1, 2, undefined, undefined, undefined]);
  });

  it("stores integers beyond 2^53 - 1, arrays and huge integral numbers without loss", () => {
    const docs: JsonValue[] = [
      { v: 2n ** 53n },
      { v: -(2n ** 70n) },
      { v: [1, [2, { a: 3n }], []] },
      { v: 1e21 },
      { v: 2 ** 53 },
      { v: Number.MAX_SAFE_INTEGER },
    ];
    const v = column(expectRoundTrip(docs), "v");
    expect(v.type).toBe("float");
    expect(Array.from(v.tags)).toEqual([Tag.Variant, Tag.Variant, Tag.Variant, Tag.Value, Tag.Value, Tag.Value]);
  });

  it("breaks ties deterministically: number, then string, then bool", () => {
    expect(column(shred([{ v: 1 }, { v: "a" }]), "v").type).toBe("int");
    expect(column(shred([{ v: true }, { v: "a" }]), "v").type).toBe("string");
    expect(column(shred([{ v: true }, { v: false }, { v: 1 }]), "v").type).toBe("bool");
  });

  it("keeps objects as Object rows next to scalars at the same path", () => {
    const batch = expectRoundTrip([{ v: { a: 1 } }, { v: 5 }, { v: {} }, { v: [] }, { v: null }]);
    expect(Array.from(column(batch, "v").tags)).toEqual([Tag.Object, Tag.Value, Tag.Object, Tag.Variant, Tag.Null]);
    expect(Array.from(column(batch, "v", "a").tags)).toEqual([Tag.Value, Tag.Missing, Tag.Missing, Tag.Missing, Tag.Missing]);
  });
});

describe("named edge cases", () => {
  it("empty batch: only the root column, nothing to reassemble", () => {
    const batch = expectRoundTrip([]);
    expect(batch.columns.map((c) => c.path)).toEqual([[]]);
  });

  it("one row", () => expectRoundTrip([{ a: 1, b: { c: "x" } }]));

  it("all-null column and null versus missing", () => {
    const batch = expectRoundTrip([{ n: null }, { n: null }, {}, { n: null }]);
    const n = column(batch, "n");
    expect(n.type).toBe("none");
    expect(Array.from(n.tags)).toEqual([Tag.Null, Tag.Null, Tag.Missing, Tag.Null]);
  });

  it("2^53 - 1 and -(2^53 - 1) stay exact ints", () => {
    const v = column(expectRoundTrip([{ v: Number.MAX_SAFE_INTEGER }, { v: Number.MIN_SAFE_INTEGER }]), "v");
    expect(v.type).toBe("int");
    expect(v.type === "int" && Array.from(v.values)).toEqual([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
  });

  it("more than 65,536 distinct values in one column", () => {
    const docs: JsonValue[] = [];
    for (let i = 0; i < 70_000; i++) docs.push({ s: `value-${i}`, n: i * 7919 });
    const batch = expectRoundTrip(docs);
    const s = column(batch, "s");
    expect(s.type === "string" && new Set(s.values).size).toBe(70_000);
  });

  it("a 1 MB string with astral characters and lone surrogates", () => {
    const big = randomString(new Random(9), 1 << 20);
    expect(column(expectRoundTrip([{ s: big }, { s: "" }]), "s").type).toBe("string");
  });

  it("empty objects and arrays, at the root and nested", () => {
    expectRoundTrip([{}, [], { a: {} }, { a: [] }, { a: { b: {} } }, [[], {}], { "": {} }]);
  });

  it("non-object documents at the root", () => {
    const docs: JsonValue[] = [1, "x", null, true, [1, 2], 2n ** 64n, -0, { a: 1 }, 2.5];
    const root = column(expectRoundTrip(docs));
    expect(root.type).toBe("float");
  });

  it("awkward keys: dots, quotes, empty, __proto__, integer-like", () => {
    const doc = JSON.parse('{"a.b":1,"":{"":2},"\\"q":3,"__proto__":{"x":4},"0":5,"constructor":6}') as JsonValue;
    const batch = expectRoundTrip([doc, doc]);
    expect(column(batch, "", "").type).toBe("int");
    expect(column(batch, "__proto__", "x").type).toBe("int");
    const back = reassemble(batch)[0] as object;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it("deep nesting: 1,000 levels round-trip, deeper is refused with LIMIT_EXCEEDED", () => {
    const nest = (levels: number): JsonValue => {
      let doc: JsonValue = "leaf";
      for (let i = 0; i < levels; i++) doc = { [`k${i % 3}`]: doc };
      return doc;
    };
    const batch = expectRoundTrip([nest(1_000), {}], 2_000);
    expect(batch.columns.length).toBe(1_001);
    // Once the path cap is reached, deeper levels are kept whole in overflow and never recursed into.
    expectRoundTrip([nest(3_000)], 500);
    try {
      shred([nest(1_001)]);
      expect.fail("should throw");
    } catch (error) {
      expect(isEvoDBError(error, "LIMIT_EXCEEDED")).toBe(true);
    }
  });

  it("members whose value is undefined are missing, not columns", () => {
    const batch = shred([{ a: 1, b: undefined } as unknown as JsonValue]);
    expect(batch.columns.map((c) => c.path)).toEqual([[], ["a"]]);
  });
});

describe("path cap (overflow)", { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it("a document with 50,000 distinct keys creates at most maxPaths columns and round-trips", () => {
    const wide: { [key: string]: JsonValue } = {};
    for (let i = 0; i < 50_000; i++) wide[`k${i}`] = i % 3 === 0 ? i : i % 3 === 1 ? `v${i}` : { nested: i };
    const docs: JsonValue[] = [{ id: 1, w: wide }, { id: 2, w: { k1: "x", other: true } }, { id: 3 }];
    const batch = expectRoundTrip(docs);
    expect(batch.columns.length).toBe(DEFAULT_MAX_PATHS);
    const w = column(batch, "w");
    const overflowed = Object.keys(w.overflow![0]!).length;
    // Columns: root, id, w, then children of w (k2 also brings k2.nested, and so on).
    expect(overflowed).toBeGreaterThan(48_000);
    expect(w.overflow![1]).toEqual({ other: true });
    expect(w.overflow![2]).toBeUndefined();
  });

  it("refuses a maxPaths below 1", () => {
    for (const maxPaths of [0, -1, 1.5, NaN]) {
      try {
        shred([{}], { maxPaths });
        expect.fail("should throw");
      } catch (error) {
        expect(isEvoDBError(error, "INVALID_ARGUMENT")).toBe(true);
      }
    }
  });
});

describe("invalid input", { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it("reassembling randomly corrupted tags gives an answer or an EvoDBError, never another error", () => {
    const random = new Random(61);
    const docs = randomDocuments(62, 200);
    const batch = shred(docs);
    for (let round = 0; round < 300; round++) {
      const columns = batch.columns.map((c) => {
        if (!random.chance(0.2)) return c;
        const tags = Uint8Array.from(c.tags);
        for (let k = 0; k < 5; k++) tags[random.int(0, tags.length - 1)] = random.int(0, 6);
        return { ...c, tags };
      });
      try {
        reassemble({ rowCount: batch.rowCount, columns });
      } catch (error) {
        if (!isEvoDBError(error, "INVALID_ARGUMENT")) expect.fail(`round ${round}: ${String(error)}`);
      }
    }
  });

  it("refuses undefined documents and non-JSON values with INVALID_ARGUMENT", () => {
    for (const docs of [[undefined], [{ f: () => 1 }], [{ s: Symbol("x") }]] as unknown as JsonValue[][]) {
      try {
        shred(docs);
        expect.fail("should throw");
      } catch (error) {
        expect(isEvoDBError(error, "INVALID_ARGUMENT")).toBe(true);
      }
    }
  });

  it("reassemble refuses columns without their parent, without a root, or of the wrong length", () => {
    const batch = shred([{ a: { b: 1 } }, { a: { b: 2 } }]);
    const withoutParent: ShreddedBatch = { rowCount: 2, columns: batch.columns.filter((c) => c.path.length !== 1) };
    const withoutRoot: ShreddedBatch = { rowCount: 2, columns: batch.columns.slice(1) };
    const wrongLength: ShreddedBatch = { rowCount: 3, columns: batch.columns };
    const missingVariant: ShreddedBatch = {
      rowCount: 2,
      columns: batch.columns.map((c) => (c.path.length === 2 ? { ...c, tags: Uint8Array.of(Tag.Variant, Tag.Value) } : c)),
    };
    for (const bad of [withoutParent, withoutRoot, wrongLength, missingVariant]) {
      try {
        reassemble(bad);
        expect.fail("should throw");
      } catch (error) {
        expect(isEvoDBError(error, "INVALID_ARGUMENT")).toBe(true);
      }
    }
  });
});
