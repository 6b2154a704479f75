import { beforeAll, describe, expect, it } from "vitest";
import type { Table } from "@lancedb/lancedb";
import { openDataset, VectorSearcher, type Metric, type VectorSearchOptions } from "../src/index";
import { ANN_DIM, ANN_SEEDS, makeVectors } from "../scripts/make-fixtures";
import { CountingStore, datasetStore, expectSame, lancedbSearch, oracle } from "./helpers";

const QUERIES = 20;

describe.each([
  ["ann_l2", "l2", ANN_DIM],
  ["ann_cosine", "cosine", ANN_DIM],
  ["ann_dot", "dot", 32],
] as const)("IVF_PQ on %s (%s)", (name, metric, dim) => {
  let searcher: VectorSearcher;
  let table: Table;
  const queries = makeVectors(ANN_SEEDS[name][0], 1234, QUERIES, dim);
  const query = (i: number) => queries.subarray(i * dim, (i + 1) * dim);

  beforeAll(async () => {
    searcher = new VectorSearcher(await openDataset(await datasetStore(name), `${name}.lance`));
    table = await (await oracle()).openTable(name);
  });

  const run = (i: number, o: Partial<VectorSearchOptions>) => searcher.search({ column: "vector", query: query(i), k: 10, ...o });

  it("returns lancedb's rows and distances at nprobes 20 without refine", async () => {
    for (let i = 0; i < QUERIES; i++) expectSame(await run(i, { nprobes: 20 }), await lancedbSearch(table, query(i), { k: 10, nprobes: 20, metric }));
  });

  it("returns lancedb's rows and distances with refineFactor 5 and other nprobes", async () => {
    for (let i = 0; i < QUERIES; i++) expectSame(await run(i, { nprobes: 5, refineFactor: 5 }), await lancedbSearch(table, query(i), { k: 10, nprobes: 5, refine: 5, metric }));
  });

  it("flat search (no index) equals lancedb's exact search", async () => {
    for (let i = 0; i < 5; i++) expectSame(await run(i, { useIndex: false, metric }), await lancedbSearch(table, query(i), { k: 10, exact: true, metric }));
  });

  it("applies a scalar pre-filter as lancedb does", async () => {
    for (let i = 0; i < 5; i++) {
      const ours = await run(i, { filter: { column: "bucket", op: "=", value: 3 }, refineFactor: 2 });
      expectSame(ours, await lancedbSearch(table, query(i), { k: 10, refine: 2, where: "bucket = 3", metric }));
      expect(ours.rowIds.length).toBe(10);
    }
  });

  // Recall is a property of the index lancedb built; the brief sets the bar for l2 and cosine.
  if (metric !== "dot") it("reaches recall@10 >= 0.95 against exact search with refineFactor 5", async () => {
    let hits = 0;
    for (let i = 0; i < QUERIES; i++) {
      const exact = new Set((await lancedbSearch(table, query(i), { k: 10, exact: true, metric })).ids);
      for (const id of (await run(i, { nprobes: 20, refineFactor: 5 })).rowIds) if (exact.has(id)) hits++;
    }
    expect(hits / (QUERIES * 10)).toBeGreaterThanOrEqual(0.95);
  });
});

describe("vector search edge cases", () => {
  it("never returns deleted rows and searches the appended (unindexed) fragment", async () => {
    const ds = await openDataset(await datasetStore("ann_l2"), "ann_l2.lance");
    const searcher = new VectorSearcher(ds);
    // Query with a stored vector of the appended fragment: it must come back first, at distance 0.
    const appended = ds.fragments[1]!;
    const row = await ds.take([appended.rowAddress(7)], { columns: ["vector", "id"] });
    const vector = row.columns.vector!;
    const q = (vector.kind === "fixed" ? vector.values : new Float32Array(0)) as Float32Array;
    const result = await searcher.search({ column: "vector", query: q, k: 5 });
    expect(result.rowIds[0]).toBe(appended.rowAddress(7));
    expect(result.distances[0]).toBe(0);
    // id % 1000 = 5 rows are deleted: search for the vector of deleted row id 5.
    const deletedVector = makeVectors(ANN_SEEDS.ann_l2[0], ANN_SEEDS.ann_l2[1], 6, ANN_DIM).subarray(5 * ANN_DIM, 6 * ANN_DIM);
    for (const useIndex of [true, false]) {
      const r = await searcher.search({ column: "vector", query: deletedVector, k: 20, useIndex });
      expect(Array.from(r.rowIds)).not.toContain(5);
    }
  });

  it("re-ranks by reading only the candidates' vectors, not the 10 MB vector column", async () => {
    const store = new CountingStore(await datasetStore("ann_cosine"));
    const searcher = new VectorSearcher(await openDataset(store, "ann_cosine.lance"));
    const q = makeVectors(ANN_SEEDS.ann_cosine[0], 5, 1, ANN_DIM);
    const result = await searcher.search({ column: "vector", query: q, k: 10, refineFactor: 5 });
    expect(result.rowIds.length).toBe(10);
    // Index files are ~0.5 MB; 50 candidate vectors are 25 KB; the column is 20,000 x 512 bytes.
    expect(store.bytes).toBeLessThan(2_000_000);
  });

  it("loading index partitions on demand gives the same answers and reads a fraction of the index", async () => {
    const inner = await datasetStore("ann_cosine");
    const lazyStore = new CountingStore(inner);
    const lazy = new VectorSearcher(await openDataset(lazyStore, "ann_cosine.lance"), { eagerIndexBytes: 0 });
    const eager = new VectorSearcher(await openDataset(inner, "ann_cosine.lance"));
    const queries = makeVectors(ANN_SEEDS.ann_cosine[0], 77, 5, ANN_DIM);
    for (let i = 0; i < 5; i++) {
      const q = queries.subarray(i * ANN_DIM, (i + 1) * ANN_DIM);
      const a = await lazy.search({ column: "vector", query: q, k: 10, nprobes: 4 });
      const b = await eager.search({ column: "vector", query: q, k: 10, nprobes: 4 });
      expect(Array.from(a.rowIds)).toEqual(Array.from(b.rowIds));
      expect(Array.from(a.distances)).toEqual(Array.from(b.distances));
    }
    // One cold query probing 2 of 64 partitions: on demand reads less than reading the index whole.
    const cold = async (eagerIndexBytes?: number) => {
      const store = new CountingStore(inner);
      await new VectorSearcher(await openDataset(store, "ann_cosine.lance"), { eagerIndexBytes }).search({ column: "vector", query: queries.subarray(0, ANN_DIM), k: 10, nprobes: 2 });
      return store.bytes;
    };
    expect(await cold(0)).toBeLessThan(await cold());
  });

  it("refuses a query of the wrong dimension or a metric other than the index's", async () => {
    const searcher = new VectorSearcher(await openDataset(await datasetStore("ann_l2"), "ann_l2.lance"));
    await expect(searcher.search({ column: "vector", query: [1, 2, 3] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(searcher.search({ column: "vector", query: new Float32Array(ANN_DIM), metric: "dot" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(searcher.search({ column: "id", query: [1] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(searcher.search({ column: "vector", query: new Float32Array(ANN_DIM), nprobes: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(searcher.search({ column: "vector", query: new Float32Array(ANN_DIM), refineFactor: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
