import { EvoDBError, isEvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { buildIndex, decodeHeader, FORMAT_VERSION, search, writeIndex } from "../src/index";
import { clusteredVectors, CountingStore, exactSearch } from "./helpers";

/**
 * Asks `queries` seeded random queries (coordinates uniform in [-spread, spread)) and expects each
 * answer to be the exact search's rows, with distances equal to `digits` decimals.
 */
async function expectExactAnswers(
  store: CountingStore,
  vectors: Float32Array,
  dim: number,
  o: { index: string; k: number; nprobes: number; metric: "l2" | "cosine"; seed: number; queries: number; spread: number; digits: number },
): Promise<void> {
  const random = new Random(o.seed);
  for (let t = 0; t < o.queries; t++) {
    const query = Array.from({ length: dim }, () => random.next() * 2 * o.spread - o.spread);
    const result = await search(store, query, { index: o.index, k: o.k, nprobes: o.nprobes });
    const exact = exactSearch(vectors, dim, query, o.k, o.metric);
    expect(Array.from(result.rowIds)).toEqual(exact.ids);
    for (let i = 0; i < o.k; i++) expect(result.distances[i]).toBeCloseTo(exact.distances[i]!, o.digits);
  }
}

function expectEvoDBError(fn: () => unknown): EvoDBError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EvoDBError);
    expect((e as EvoDBError).code).toMatch(/^(CORRUPT_BLOCK|UNSUPPORTED_VERSION)$/);
    return e as EvoDBError;
  }
  throw new Error("expected an EvoDBError");
}

describe("snippets-lance layout", () => {
  it("seeded round trip: header fields, partition bytes and an all-partition refined search equal exact search", async () => {
    const dim = 16;
    const vectors = clusteredVectors(7, 600, dim, 6);
    const built = buildIndex(vectors, { dim, partitions: 12, refine: true, seed: 3 });
    const header = decodeHeader(built.header);
    expect(header.dim).toBe(dim);
    expect(header.partitionCount).toBe(12);
    expect(header.rowCount).toBe(600);
    expect(header.hasRefine).toBe(true);
    expect(header.rowIdWidth).toBe(4);
    expect(header.dataSize).toBe(built.data.length);
    expect(Array.from(header.partitionRows).reduce((a, b) => a + b, 0)).toBe(600);
    // Same input and seed give the same bytes.
    const again = buildIndex(vectors, { dim, partitions: 12, refine: true, seed: 3 });
    expect(again.header).toEqual(built.header);
    expect(again.data).toEqual(built.data);

    const store = new CountingStore();
    await writeIndex(store, "idx", built);
    await expectExactAnswers(store, vectors, dim, { index: "idx", k: 5, nprobes: 12, metric: "l2", seed: 11, queries: 20, spread: 4, digits: 3 });
  });

  it("both quantisers: every SQ8 distance is within the quantisation error of the exact distance", async () => {
    const dim = 24;
    const n = 400;
    const vectors = clusteredVectors(19, n, dim, 5);
    const random = new Random(23);
    for (const quantiser of ["sq8", "sq8-residual"] as const) {
      const built = buildIndex(vectors, { dim, partitions: 8, quantiser });
      const header = decodeHeader(built.header);
      expect(header.quantiser).toBe(quantiser);
      // Each decoded value is within step/2 of the true one, so by the triangle inequality the
      // decoded l2 distance is within the norm of the half-steps of the exact one.
      let halfSteps = 0;
      for (let j = 0; j < dim; j++) halfSteps += (header.sqStep[j]! / 2) ** 2;
      const slack = Math.sqrt(halfSteps) * 1.001 + 1e-4;
      const store = new CountingStore();
      await writeIndex(store, quantiser, built);
      for (let t = 0; t < 5; t++) {
        const query = Array.from({ length: dim }, () => random.next() * 10 - 5);
        const result = await search(store, query, { index: quantiser, k: n, nprobes: 8, refine: false });
        expect(result.rowIds.length).toBe(n);
        const exact = new Map<number, number>();
        for (let i = 0; i < n; i++) {
          let d = 0;
          for (let j = 0; j < dim; j++) d += (vectors[i * dim + j]! - query[j]!) ** 2;
          exact.set(i, d);
        }
        for (let i = 0; i < n; i++) {
          expect(Math.abs(Math.sqrt(result.distances[i]!) - Math.sqrt(exact.get(result.rowIds[i]!)!))).toBeLessThanOrEqual(slack);
        }
      }
    }
  });

  it("fixed header fields sit where docs/snippets-lance.md says", () => {
    const built = buildIndex(new Float32Array([0, 0, 1, 1, 2, 2]), { dim: 2, partitions: 1, metric: "cosine", rowIds: [5, 2 ** 40, 7] });
    const b = built.header;
    expect(Array.from(b.subarray(0, 4))).toEqual([0x45, 0x53, 0x4c, 0x01]); // "ESL" 0x01
    const view = new DataView(b.buffer, b.byteOffset);
    expect(view.getUint16(4, true)).toBe(FORMAT_VERSION);
    expect(b[6]).toBe(1); // cosine
    expect(b[7]).toBe(0); // no refine
    expect(b[8]).toBe(2); // SQ8 of residuals, the default quantiser
    expect(b[9]).toBe(8); // a row id above 2^32 forces float64 ids
    expect(view.getUint16(10, true)).toBe(13); // "data-xxxxxxxx"
    expect(view.getUint32(12, true)).toBe(2);
    expect(view.getUint32(16, true)).toBe(1);
    expect(view.getFloat64(20, true)).toBe(3);
    expect(view.getFloat64(28, true)).toBe(built.data.length);
    expect(new TextDecoder().decode(b.subarray(40, 53))).toBe(built.dataKey);
    // 40 fixed + 16 key (13 padded to 4) + 8 * dim (sq min, step) + 4 * dim centroids + 8 directory + 4 CRC
    expect(b.length).toBe(40 + 16 + 16 + 8 + 8 + 4);
  });

  it("edge cases: empty index, one vector, row id 2^53-1, cosine with a zero vector", async () => {
    const store = new CountingStore();
    await writeIndex(store, "empty", buildIndex(new Float32Array(0), { dim: 4 }));
    const empty = await search(store, [1, 2, 3, 4], { index: "empty", k: 3 });
    expect(empty.rowIds.length).toBe(0);
    expect(empty.fetches).toBe(1);

    await writeIndex(store, "one", buildIndex(new Float32Array([1, 2, 3]), { dim: 3, rowIds: [2 ** 53 - 1], refine: true }));
    const one = await search(store, [1, 2, 4], { index: "one", k: 3 });
    expect(Array.from(one.rowIds)).toEqual([2 ** 53 - 1]);
    expect(one.distances[0]).toBeCloseTo(1, 5);

    await writeIndex(store, "cos", buildIndex(new Float32Array([0, 0, 3, 4, -1, 0]), { dim: 2, metric: "cosine", refine: true }));
    const cos = await search(store, [6, 8], { index: "cos", k: 3, nprobes: 3 });
    expect(Array.from(cos.rowIds)).toEqual([1, 0, 2]);
    expect(cos.distances[0]).toBeCloseTo(0, 6);
    expect(cos.distances[1]).toBeCloseTo(1, 6);
    expect(cos.distances[2]).toBeCloseTo(1.6, 6);
  });

  it("cosine: refined search over all partitions equals exact cosine search", async () => {
    const dim = 12;
    const vectors = clusteredVectors(21, 500, dim, 5);
    const store = new CountingStore();
    await writeIndex(store, "c", buildIndex(vectors, { dim, metric: "cosine", partitions: 8, refine: true }));
    await expectExactAnswers(store, vectors, dim, { index: "c", k: 4, nprobes: 8, metric: "cosine", seed: 5, queries: 10, spread: 1, digits: 4 });
  });

  it("every truncation and every single-byte mutation of a header is refused with an EvoDBError", () => {
    const built = buildIndex(clusteredVectors(3, 100, 8, 3), { dim: 8, partitions: 4 });
    const h = built.header;
    for (let length = 0; length < h.length; length++) expectEvoDBError(() => decodeHeader(h.subarray(0, length)));
    const random = new Random(99);
    for (let i = 0; i < h.length; i++) {
      const mutated = h.slice();
      mutated[i] = mutated[i]! ^ (1 + random.int(0, 254));
      expectEvoDBError(() => decodeHeader(mutated));
    }
    for (let t = 0; t < 200; t++) expectEvoDBError(() => decodeHeader(random.bytes(random.int(0, 400))));
    const future = h.slice();
    future[4] = 2;
    expect(expectEvoDBError(() => decodeHeader(future)).code).toBe("UNSUPPORTED_VERSION");
  });

  it("corrupt, truncated or missing data objects are refused, never answered", async () => {
    const dim = 8;
    const built = buildIndex(clusteredVectors(4, 300, dim, 3), { dim, partitions: 4 });
    const random = new Random(12);
    for (let t = 0; t < 30; t++) {
      const store = new CountingStore();
      const data = built.data.slice();
      const at = random.int(0, data.length - 1);
      data[at] = data[at]! ^ 0x5a;
      await writeIndex(store, "x", { ...built, data });
      // Probing every partition reads every byte (padding aside), so the mutation is always seen
      // unless it hit padding between partitions.
      const header = decodeHeader(built.header);
      let inPadding = true;
      for (let p = 0; p < header.partitionCount; p++) {
        const start = header.partitionOffsets[p]!;
        if (at >= start && at < start + header.partitionRows[p]! * (4 + dim)) inPadding = false;
      }
      const attempt = search(store, new Array(dim).fill(0), { index: "x", nprobes: 4 });
      if (inPadding) await attempt;
      else await expect(attempt).rejects.toMatchObject({ code: "CORRUPT_BLOCK" });
    }
    const short = new CountingStore();
    await writeIndex(short, "s", { ...built, data: built.data.subarray(0, built.data.length - 9) });
    const error = await search(short, new Array(dim).fill(0), { index: "s", nprobes: 4 }).catch((e: unknown) => e);
    expect(isEvoDBError(error)).toBe(true);
    const missing = new CountingStore();
    await expect(search(missing, [1], { index: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("bad queries and options are refused with INVALID_ARGUMENT", async () => {
    const store = new CountingStore();
    await writeIndex(store, "q", buildIndex(clusteredVectors(5, 50, 4, 2), { dim: 4, partitions: 3 }));
    await expect(search(store, [1, 2, 3], { index: "q" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(search(store, [1, 2, NaN, 4], { index: "q" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(search(store, [1, 2, 3, 4], { index: "q", k: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(search(store, [1, 2, 3, 4], { index: "q", nprobes: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(() => buildIndex(new Float32Array(5), { dim: 2 })).toThrow(EvoDBError);
    expect(() => buildIndex(new Float32Array([1, Infinity]), { dim: 2 })).toThrow(EvoDBError);
    expect(() => buildIndex(new Float32Array(4), { dim: 2, rowIds: [1, -1] })).toThrow(EvoDBError);
  });
});
