import { beforeAll, describe, expect, it } from "vitest";
import type { Table } from "@lancedb/lancedb";
import { EvoDBError, MemoryObjectStore, type ObjectStore } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { openDataset, VectorSearcher, type Filter, type VectorSearchOptions } from "../src/index";
import { ivfHnswSq } from "../src/hnsw";
import { HNSW_APPENDED, HNSW_TABLES, makeVectors } from "../scripts/make-fixtures";
import { RustHeap } from "../src/vector/hnsw";
import { decodeLevels, decodeU32ListPage } from "../src/codec/list21";
import { parseProto } from "../src/protobuf";
import { CountingStore, datasetStore, expectSame, lancedbSearch, oracle } from "./helpers";

/** IVF_HNSW_SQ search is an opt-in entry point (src/hnsw.ts, `@evodb/lance-reader/hnsw`). */
const WITH_HNSW = { indexTypes: [ivfHnswSq] };

const QUERIES = 20;

describe.each(Object.entries(HNSW_TABLES))("IVF_HNSW_SQ on %s", (name, t) => {
  let searcher: VectorSearcher;
  let table: Table;
  const queries = makeVectors(t.seeds[0], 1234, QUERIES, t.dim);
  const query = (i: number) => queries.subarray(i * t.dim, (i + 1) * t.dim);
  const run = (i: number, o: Partial<VectorSearchOptions>) => searcher.search({ column: "vector", query: query(i), k: 10, ...o });

  beforeAll(async () => {
    searcher = new VectorSearcher(await openDataset(await datasetStore(name), `${name}.lance`), WITH_HNSW);
    table = await (await oracle()).openTable(name);
  });

  // nprobes below, at and above the partition count; ef from the default (k + k/2) to wide.
  it.each([
    [1, undefined],
    [2, 10],
    [2, 40],
    [t.partitions, 15],
    [20, 100],
  ])("returns lancedb's rows and distances at nprobes %s, ef %s", async (nprobes, ef) => {
    for (let i = 0; i < QUERIES; i++) expectSame(await run(i, { nprobes, ef }), await lancedbSearch(table, query(i), { metric: t.metric, k: 10, nprobes, ef }));
  });

  it("returns lancedb's rows and distances with refineFactor (exact re-ranking), also with k = 3", async () => {
    for (let i = 0; i < QUERIES; i++) {
      expectSame(await run(i, { nprobes: 2, refineFactor: 2 }), await lancedbSearch(table, query(i), { metric: t.metric, k: 10, nprobes: 2, refine: 2 }));
      expectSame(await run(i, { k: 3, nprobes: 1, ef: 30, refineFactor: 4 }), await lancedbSearch(table, query(i), { metric: t.metric, k: 3, nprobes: 1, ef: 30, refine: 4 }));
    }
  });

  // A wide filter keeps the graph walk (results restricted to allowed nodes); one under 10% of a
  // partition makes Lance score the allowed nodes directly.
  it.each([
    ["bucket < 5", [{ column: "bucket", op: "<", value: 5 }]],
    ["id < 300", [{ column: "id", op: "<", value: 300 }]],
    ["bucket = 3 AND id >= 1000", [{ column: "bucket", op: "=", value: 3 }, { column: "id", op: ">=", value: 1000 }]],
  ] as [string, Filter][])("applies the pre-filter %s as lancedb does", async (where, filter) => {
    for (let i = 0; i < 8; i++) {
      const ours = await run(i, { filter, nprobes: 2, ef: 20 });
      expectSame(ours, await lancedbSearch(table, query(i), { metric: t.metric, k: 10, nprobes: 2, ef: 20, where }));
      expect(ours.rowIds.length).toBe(10);
    }
  });

  // Recall is a property of the index lancedb built: equal to lancedb's, and >= 0.9 on these tables.
  it("reaches lancedb's recall@10 against exact search, and at least 0.9, with all partitions and ef 40", async () => {
    let ours = 0;
    let theirs = 0;
    for (let i = 0; i < QUERIES; i++) {
      const exact = new Set((await lancedbSearch(table, query(i), { metric: t.metric, k: 10, exact: true })).ids);
      for (const id of (await run(i, { nprobes: t.partitions, ef: 40 })).rowIds) if (exact.has(id)) ours++;
      for (const id of (await lancedbSearch(table, query(i), { metric: t.metric, k: 10, nprobes: t.partitions, ef: 40 })).ids) if (exact.has(id)) theirs++;
    }
    expect(ours).toBe(theirs);
    expect(ours / (QUERIES * 10)).toBeGreaterThanOrEqual(0.9);
  });
});

describe("IVF_HNSW_SQ edge cases", () => {
  it("is opt-in: without the @evodb/lance-reader/hnsw index type the search names it, and exact search still works", async () => {
    const ds = await openDataset(await datasetStore("hnsw_cosine"), "hnsw_cosine.lance");
    const { seeds, dim } = HNSW_TABLES.hnsw_cosine;
    // Stored row 0 as the query: exact search and the index both find it first.
    const q = makeVectors(seeds[0], seeds[1], 1, dim);
    const error = await new VectorSearcher(ds).search({ column: "vector", query: q, k: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvoDBError);
    expect(error).toMatchObject({ code: "UNSUPPORTED_FEATURE" });
    expect((error as Error).message).toContain("@evodb/lance-reader/hnsw");
    // The index types given are the only opt-in ones used: an empty list is the same refusal.
    await expect(new VectorSearcher(ds, { indexTypes: [] }).search({ column: "vector", query: q, k: 10 })).rejects.toMatchObject({ code: "UNSUPPORTED_FEATURE" });
    const exact = await new VectorSearcher(ds).search({ column: "vector", query: q, k: 10, useIndex: false });
    const viaIndex = await new VectorSearcher(ds, WITH_HNSW).search({ column: "vector", query: q, k: 10 });
    expect(exact.rowIds[0]).toBe(0);
    expect(viaIndex.rowIds[0]).toBe(0);
  });

  it("never returns deleted rows and searches the appended (unindexed) fragment exactly", async () => {
    const ds = await openDataset(await datasetStore("hnsw_l2"), "hnsw_l2.lance");
    const searcher = new VectorSearcher(ds, WITH_HNSW);
    const { seeds, dim, rows } = HNSW_TABLES.hnsw_l2;
    const appended = ds.fragments[1]!;
    expect(appended.physicalRows).toBe(HNSW_APPENDED);
    // Appended row 8 (id 10008; row 7 has id 10007, which is deleted).
    const q = makeVectors(seeds[0], seeds[2], 9, dim).subarray(8 * dim, 9 * dim);
    const result = await searcher.search({ column: "vector", query: q, k: 5, nprobes: 1 });
    expect(result.rowIds[0]).toBe(appended.rowAddress(8));
    expect(result.distances[0]).toBe(0);
    // Rows with id % 1000 = 7 are deleted: the vector of row 1007 must not come back.
    const deleted = makeVectors(seeds[0], seeds[1], 1008, dim).subarray(1007 * dim, 1008 * dim);
    const r = await searcher.search({ column: "vector", query: deleted, k: 20, nprobes: 4, ef: 60 });
    expect(Array.from(r.rowIds)).not.toContain(1007);
    expect(rows).toBeGreaterThan(1007);
  });

  it("a cold query probing 1 of 4 partitions reads only part of the graph file", async () => {
    const inner = await datasetStore("hnsw_l2");
    const graphKey = (await inner.list({ prefix: "hnsw_l2.lance/_indices/" })).objects.find((o) => o.key.endsWith("/index.idx"))!.key;
    const graphBytes = async (nprobes: number) => {
      // Counts only the bytes fetched from index.idx (graph rows, lists and metadata).
      const graphOnly = new CountingStore(inner);
      const store: ObjectStore = { ...graphOnly, get: (key, options) => (key === graphKey ? graphOnly.get(key, options) : inner.get(key, options)) };
      // The query is stored row 0, so whatever nprobes the answer starts with that row.
      const q = makeVectors(HNSW_TABLES.hnsw_l2.seeds[0], HNSW_TABLES.hnsw_l2.seeds[1], 1, HNSW_TABLES.hnsw_l2.dim);
      const r = await new VectorSearcher(await openDataset(store, "hnsw_l2.lance"), WITH_HNSW).search({ column: "vector", query: q, k: 10, nprobes, ef: 20 });
      expect(r.rowIds[0]).toBe(0);
      return graphOnly.bytes;
    };
    const one = await graphBytes(1);
    const all = await graphBytes(4);
    // The neighbour lists of 4 partitions span several pages; one partition's rows touch fewer.
    expect(one).toBeLessThan(all * 0.75);
  });

  it("refuses ef below k * refineFactor and an index type it does not search", async () => {
    const searcher = new VectorSearcher(await openDataset(await datasetStore("hnsw_cosine"), "hnsw_cosine.lance"), WITH_HNSW);
    const q = new Float32Array(HNSW_TABLES.hnsw_cosine.dim).fill(1);
    await expect(searcher.search({ column: "vector", query: q, k: 10, ef: 9 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(searcher.search({ column: "vector", query: q, k: 10, ef: 15, refineFactor: 2 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const flat = new VectorSearcher(await openDataset(await datasetStore("ivf_flat"), "ivf_flat.lance"));
    const error = await flat.search({ column: "vector", query: new Float32Array(8), k: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvoDBError);
    expect(error).toMatchObject({ code: "UNSUPPORTED_FEATURE" });
    expect((error as Error).message).toContain("IVF_FLAT");
    // Exact search still works on that table.
    expect((await flat.search({ column: "vector", query: new Float32Array(8), k: 3, useIndex: false })).rowIds.length).toBe(3);
  });

  it("mutated or truncated index files give EvoDBError or a result, never a crash or a hang", async () => {
    const name = "hnsw_cosine";
    const source = await datasetStore(name);
    const files = new Map<string, Uint8Array>();
    for (const o of (await source.list({ prefix: `${name}.lance/` })).objects) files.set(o.key, new Uint8Array(await (await source.get(o.key))!.arrayBuffer()));
    const keys = [...files.keys()].filter((k) => k.includes("_indices/"));
    expect(keys.length).toBe(2);
    const rng = new Random(4242);
    const q = makeVectors(HNSW_TABLES.hnsw_cosine.seeds[0], 9, 1, HNSW_TABLES.hnsw_cosine.dim);
    let errors = 0;
    for (let i = 0; i < 120; i++) {
      const victim = keys[i % 2]!;
      const bytes = files.get(victim)!;
      let damaged: Uint8Array;
      if (i % 3 === 0) damaged = bytes.slice(0, rng.int(0, bytes.length - 1));
      else {
        damaged = bytes.slice();
        // Half the time hit the tail (footer, metadata, IVF/HNSW JSON), else anywhere (pages).
        const from = i % 3 === 1 ? Math.max(0, bytes.length - 4096) : 0;
        for (let n = rng.int(1, 8); n > 0; n--) damaged[rng.int(from, bytes.length - 1)] = rng.int(0, 255);
      }
      const store = new MemoryObjectStore();
      for (const [k, v] of files) await store.put(k, k === victim ? damaged : v);
      try {
        await new VectorSearcher(await openDataset(store, `${name}.lance`), WITH_HNSW).search({ column: "vector", query: q, k: 10, nprobes: 2, ef: 30 });
      } catch (e) {
        if (!(e instanceof EvoDBError)) throw new Error(`non-EvoDBError escaped: ${(e as Error)?.stack ?? String(e)}`);
        expect(typeof e.code).toBe("string");
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});

describe("list<u32> pages", () => {
  // PageLayout { all_null_layout (2) { layers (5) = [ALL_VALID_ITEM, EMPTYABLE_LIST] } }, as lance
  // writes a page whose lists are all empty; with an inline value (6) it is a constant page.
  it("reads an all-null list page as empty lists and refuses a constant one", () => {
    const lists = decodeU32ListPage(new Uint8Array([0x12, 4, 0x2a, 2, 1, 5]), [new Uint8Array(8), new Uint8Array(8)], 4);
    expect(Array.from(lists.offsets)).toEqual([0, 0, 0, 0, 0]);
    expect(lists.values.length).toBe(0);
    expect(() => decodeU32ListPage(new Uint8Array([0x12, 7, 0x2a, 2, 1, 5, 0x32, 1, 9]), [], 4)).toThrow(expect.objectContaining({ code: "UNSUPPORTED_FEATURE" }));
  });

  // CompressiveEncoding { rle (8) { values: flat u16, run_lengths: flat u8 } } over
  // [u64 size of the values][values][run lengths], as lance writes RLE level buffers.
  it("decodes RLE levels and refuses runs that do not cover the levels", () => {
    const enc = parseProto(new Uint8Array([0x42, 12, 0x0a, 4, 0x0a, 2, 0x08, 16, 0x12, 4, 0x0a, 2, 0x08, 8]));
    const buffer = new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 3, 2]);
    expect(Array.from(decodeLevels(enc, buffer, 5))).toEqual([0, 0, 0, 1, 1]);
    expect(() => decodeLevels(enc, buffer, 6)).toThrow(expect.objectContaining({ code: "CORRUPT_LANCE" }));
    expect(() => decodeLevels(enc, buffer.subarray(0, 12), 5)).toThrow(expect.objectContaining({ code: "CORRUPT_LANCE" }));
  });

  it("refuses a page that is neither mini-block nor all-null, and random layout bytes, with EvoDBError", () => {
    expect(() => decodeU32ListPage(new Uint8Array([0x1a, 0]), [], 3)).toThrow(expect.objectContaining({ code: "UNSUPPORTED_FEATURE" }));
    const rng = new Random(5);
    for (let i = 0; i < 300; i++) {
      try {
        decodeU32ListPage(rng.bytes(rng.int(0, 40)), [rng.bytes(rng.int(0, 64)), rng.bytes(rng.int(0, 256))], rng.int(0, 50));
      } catch (e) {
        if (!(e instanceof EvoDBError)) throw e;
      }
    }
  });
});

describe("RustHeap", () => {
  it("pops in distance order and sorts ascending, keeping every pushed pair (seeded, with ties)", () => {
    const rng = new Random(99);
    for (const min of [false, true]) {
      for (let round = 0; round < 50; round++) {
        const heap = new RustHeap(min, 2);
        const pairs: [number, number][] = [];
        for (let i = rng.int(0, 60); i > 0; i--) {
          const d = rng.int(0, 9);
          pairs.push([d, pairs.length]);
          heap.push(d, pairs.length - 1);
        }
        if (pairs.length > 0 && round % 2 === 0) {
          heap.pop();
          const top = heap.popped;
          const extreme = min ? Math.min(...pairs.map((p) => p[0])) : Math.max(...pairs.map((p) => p[0]));
          expect(top.distance).toBe(extreme);
          pairs.splice(pairs.findIndex((p) => p[1] === top.id), 1);
        }
        const sorted = heap.intoSorted();
        // Max-heaps sort ascending by distance, Reverse (min) heaps descending, as Rust's into_sorted_vec.
        const distances = Array.from(sorted.distances);
        expect(distances).toEqual(pairs.map((p) => p[0]).sort((a, b) => (min ? b - a : a - b)));
        expect(Array.from(sorted.ids).sort((a, b) => a - b)).toEqual(pairs.map((p) => p[1]).sort((a, b) => a - b));
        sorted.ids.forEach((id, i) => expect(pairs.find((p) => p[1] === id)![0]).toBe(distances[i]));
      }
    }
  });
});
