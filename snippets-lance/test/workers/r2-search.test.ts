import { env } from "cloudflare:workers";
import { isEvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { buildIndex, search, writeIndex, type IndexHeader, type RangeFetcher } from "../../src/index";
import { clusteredVectors, exactSearch } from "../helpers";

// Real R2 inside workerd: the index is written to the bucket and every read is a real R2 get.
const DIM = 32;
const vectors = clusteredVectors(404, 4000, DIM, 12);

/** A RangeFetcher over the R2 binding that counts its calls: each one is a subrequest. */
function countingR2(): { fetcher: RangeFetcher; count: () => number } {
  let calls = 0;
  const fetcher: RangeFetcher = async (key, range) => {
    calls++;
    const object = await env.VECTORS.get(key, range === undefined ? undefined : { range });
    return object === null ? null : new Uint8Array(await object.arrayBuffer());
  };
  return { fetcher, count: () => calls };
}

describe("snippets-lance search on R2 (workerd)", () => {
  it("the R2 binding as an ObjectStore: probing every partition with refine equals exact search", async () => {
    const name = `exact-${crypto.randomUUID()}`;
    await writeIndex(env.VECTORS, name, buildIndex(vectors, { dim: DIM, partitions: 16, refine: true }));
    const random = new Random(8);
    for (let t = 0; t < 10; t++) {
      const query = Array.from({ length: DIM }, () => random.next() * 8 - 4);
      const result = await search(env.VECTORS, query, { index: name, k: 10, nprobes: 16 });
      expect(Array.from(result.rowIds)).toEqual(exactSearch(vectors, DIM, query, 10, "l2").ids);
      expect(result.fetches).toBeLessThanOrEqual(5);
    }
  });

  it("recall@10 >= 0.90 at nprobes 8 with at most 5 counted R2 reads per query", async () => {
    const name = `recall-${crypto.randomUUID()}`;
    await writeIndex(env.VECTORS, name, buildIndex(vectors, { dim: DIM }));
    const { fetcher, count } = countingR2();
    const headerCache = new Map<string, IndexHeader>();
    const random = new Random(3);
    let hits = 0;
    for (let t = 0; t < 30; t++) {
      const row = random.int(0, 3999);
      const query = Array.from({ length: DIM }, (_, j) => vectors[row * DIM + j]! + (random.next() - 0.5));
      const before = count();
      const result = await search(fetcher, query, { index: name, k: 10, nprobes: 8, headerCache });
      expect(count() - before).toBe(result.fetches);
      expect(result.fetches).toBeLessThanOrEqual(5);
      const truth = new Set(exactSearch(vectors, DIM, query, 10, "l2").ids);
      for (const id of result.rowIds) if (truth.has(id)) hits++;
    }
    expect(hits / 300).toBeGreaterThanOrEqual(0.9);
  });

  it("a budget of one fetch with no cached header is refused before touching R2", async () => {
    const { fetcher, count } = countingR2();
    const error = await search(fetcher, new Array(DIM).fill(0), { index: "anything", budget: { maxFetches: 1 } }).catch((e: unknown) => e);
    expect(isEvoDBError(error, "LIMIT_EXCEEDED")).toBe(true);
    expect(count()).toBe(0);
  });

  it("a data object truncated in R2 gives an EvoDBError, not an answer", async () => {
    const name = `short-${crypto.randomUUID()}`;
    const built = buildIndex(vectors, { dim: DIM, partitions: 8 });
    await writeIndex(env.VECTORS, name, { ...built, data: built.data.subarray(0, built.data.length >> 1) });
    const error = await search(env.VECTORS, new Array(DIM).fill(0), { index: name, nprobes: 8 }).catch((e: unknown) => e);
    expect(isEvoDBError(error)).toBe(true);
  });
});
