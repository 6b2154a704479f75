import { describe, expect, it } from "vitest";
import { jsonDifference, randomDocuments, Random } from "@evodb/test-utils";
import { reassemble, shred, type JsonValue } from "../src/index";

type JsonObject = { [key: string]: JsonValue };

function isPlainObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at `path`, navigating objects only (arrays are not paths), or undefined. */
function valueAt(doc: JsonValue, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = doc;
  for (const key of path) {
    if (!isPlainObject(current) || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * Reference projection, written independently of the implementation from the documented rule: keep
 * each requested path that exists (whole), with the ancestors needed to reach it; `{}` when none.
 */
function referenceProject(doc: JsonValue, paths: readonly (readonly string[])[]): JsonValue {
  if (paths.some((p) => p.length === 0)) return doc;
  const result: JsonObject = {};
  const sorted = [...paths].sort((a, b) => a.length - b.length);
  const taken: (readonly string[])[] = [];
  for (const path of sorted) {
    // A longer path under one already taken whole adds nothing.
    if (taken.some((t) => t.every((key, i) => path[i] === key))) continue;
    const value = valueAt(doc, path);
    if (value === undefined) continue;
    taken.push(path);
    let target = result;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      if (!Object.prototype.hasOwnProperty.call(target, key)) {
        Object.defineProperty(target, key, { value: {}, enumerable: true, writable: true, configurable: true });
      }
      target = target[key] as JsonObject;
    }
    Object.defineProperty(target, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/** Every object path that occurs in the documents (so requested paths hit real data). */
function pathsOf(docs: readonly JsonValue[]): string[][] {
  const seen = new Map<string, string[]>();
  const walk = (value: JsonValue, path: string[]): void => {
    if (!isPlainObject(value)) return;
    for (const key of Object.keys(value)) {
      const child = [...path, key];
      seen.set(JSON.stringify(child), child);
      walk(value[key]!, child);
    }
  };
  for (const doc of docs) walk(doc, []);
  return [...seen.values()];
}

function expectProjection(docs: JsonValue[], paths: string[][], maxPaths?: number): void {
  const batch = shred(docs, maxPaths === undefined ? {} : { maxPaths });
  const projected = reassemble(batch, { paths });
  for (let i = 0; i < docs.length; i++) {
    const difference = jsonDifference(projected[i], referenceProject(docs[i]!, paths));
    if (difference !== undefined) expect.fail(`row ${i}, paths ${JSON.stringify(paths)}: ${difference}`);
  }
}

describe("projection", { timeout: 300_000 }, () => {
  it("rebuilds only the requested paths, on random documents and random path sets", () => {
    const random = new Random(41);
    for (let round = 0; round < 60; round++) {
      const docs = randomDocuments(500 + round, 300);
      const known = pathsOf(docs);
      const paths: string[][] = [];
      const count = random.int(1, 4);
      for (let i = 0; i < count; i++) {
        if (random.chance(0.85)) paths.push(random.pick(known));
        else paths.push([...random.pick(known), "absent"]);
      }
      expectProjection(docs, paths);
    }
  });

  it("reaches requested paths that overflowed past the path cap", () => {
    const random = new Random(42);
    for (let round = 0; round < 40; round++) {
      const docs = randomDocuments(900 + round, 200);
      const known = pathsOf(docs);
      const paths = [random.pick(known), random.pick(known), random.pick(known)];
      expectProjection(docs, paths, random.int(1, 12));
    }
  });

  it("named cases: nested leaf, whole subtree, root, absent path, non-object rows", () => {
    const docs: JsonValue[] = [
      { user: { name: "a", age: 3, tags: [1] }, type: "x" },
      { user: { age: 4 }, type: "y" },
      { user: "not an object" },
      { user: {} },
      [1, 2],
      7,
    ];
    const batch = shred(docs);
    expect(reassemble(batch, { paths: [["user", "name"]] })).toEqual([{ user: { name: "a" } }, {}, {}, {}, {}, {}]);
    expect(reassemble(batch, { paths: [["user"]] })).toEqual([
      { user: { name: "a", age: 3, tags: [1] } },
      { user: { age: 4 } },
      { user: "not an object" },
      { user: {} },
      {},
      {},
    ]);
    expect(reassemble(batch, { paths: [["type"], ["user", "age"]] })).toEqual([
      { user: { age: 3 }, type: "x" },
      { user: { age: 4 }, type: "y" },
      {},
      {},
      {},
      {},
    ]);
    expect(reassemble(batch, { paths: [[]] })).toEqual(docs);
    expect(reassemble(batch, { paths: [["nope", "deeper"]] })).toEqual([{}, {}, {}, {}, {}, {}]);
    expect(reassemble(batch, { paths: [] })).toEqual([{}, {}, {}, {}, {}, {}]);
  });

  it("never reads the columns outside the requested paths", () => {
    const docs: JsonValue[] = [{ keep: { x: 1 }, skip: { y: "a" } }, { keep: { x: 2 }, skip: { y: "b" } }];
    const batch = shred(docs);
    // Poison every column outside the projection: reading any of them would throw.
    const poisoned = {
      rowCount: batch.rowCount,
      columns: batch.columns.map((c) => (c.path[0] === "skip" ? { ...c, tags: new Uint8Array(c.tags.length).fill(250) } : c)),
    };
    expect(() => reassemble(poisoned)).toThrow();
    expect(reassemble(poisoned, { paths: [["keep", "x"]] })).toEqual([{ keep: { x: 1 } }, { keep: { x: 2 } }]);
  });

  it("works on a batch holding only the requested columns and their ancestors", () => {
    const docs: JsonValue[] = [{ a: { b: 1, c: "x" }, d: true }, { a: { b: 2 } }];
    const full = shred(docs);
    const wanted = new Set(["[]", '["a"]', '["a","b"]']);
    const partial = { rowCount: full.rowCount, columns: full.columns.filter((c) => wanted.has(JSON.stringify(c.path))) };
    expect(reassemble(partial, { paths: [["a", "b"]] })).toEqual([{ a: { b: 1 } }, { a: { b: 2 } }]);
  });
});
