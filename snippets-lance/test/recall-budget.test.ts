import { isEvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { beforeAll, describe, expect, it } from "vitest";
import { buildIndex, decodeHeader, search, writeIndex, type IndexHeader } from "../src/index";
import { clusteredVectors, CountingStore, exactSearch } from "./helpers";

const N = 20_000;
const DIM = 64;
const K = 10;
const QUERIES = 60;
const vectors = clusteredVectors(2026, N, DIM, 40);
const store = new CountingStore();
const queries: number[][] = [];
const truth: number[][] = [];

beforeAll(async () => {
  await writeIndex(store, "plain", buildIndex(vectors, { dim: DIM, seed: 1 }));
  await writeIndex(store, "refined", buildIndex(vectors, { dim: DIM, seed: 1, refine: true }));
  const random = new Random(77);
  for (let q = 0; q < QUERIES; q++) {
    // A stored vector plus noise: the query lands inside a cluster, as real queries do.
    const row = random.int(0, N - 1);
    const query = Array.from({ length: DIM }, (_, j) => vectors[row * DIM + j]! + (random.next() - 0.5));
    queries.push(query);
    truth.push(exactSearch(vectors, DIM, query, K, "l2").ids);
  }
});

async function recallAt(index: string, nprobes: number): Promise<{ recall: number; maxFetches: number; bytes: number; ms: number }> {
  let hits = 0;
  let maxFetches = 0;
  let bytes = 0;
  const cache = new Map<string, IndexHeader>();
  const started = performance.now();
  for (let q = 0; q < QUERIES; q++) {
    const before = store.gets;
    const result = await search(store, queries[q]!, { index, k: K, nprobes, headerCache: cache });
    // The store's own count, not the search's claim, bounds the subrequests.
    expect(store.gets - before).toBe(result.fetches);
    maxFetches = Math.max(maxFetches, store.gets - before);
    if (q > 0) bytes += result.bytesRead;
    const expected = new Set(truth[q]);
    for (const id of result.rowIds) if (expected.has(id)) hits++;
  }
  return { recall: hits / (QUERIES * K), maxFetches, bytes: bytes / (QUERIES - 1), ms: (performance.now() - started) / QUERIES };
}

describe(`snippets-lance recall@${K} on ${N} x ${DIM} seeded clustered vectors vs exact search`, () => {
  it("recall rises with nprobes, reaches >= 0.90, and no query makes more than 5 fetches", async () => {
    const curve: string[] = [];
    const recalls = new Map<string, number>();
    for (const index of ["plain", "refined"]) {
      for (const nprobes of [1, 2, 4, 8, 16, 32]) {
        const r = await recallAt(index, nprobes);
        expect(r.maxFetches).toBeLessThanOrEqual(5);
        recalls.set(`${index}/${nprobes}`, r.recall);
        curve.push(`${index} nprobes=${nprobes}: recall@${K}=${r.recall.toFixed(3)} bytes/query=${Math.round(r.bytes)} ms/query=${r.ms.toFixed(2)}`);
      }
    }
    const header = decodeHeader(new Uint8Array(await (await store.get("plain/header"))!.arrayBuffer()));
    curve.push(`partitions=${header.partitionCount} header bytes=${(await store.head("plain/header"))!.size} data bytes plain=${header.dataSize} refined=${(await store.list({ prefix: "refined/data" })).objects[0]!.size}`);
    console.log(curve.join("\n"));
    expect(recalls.get("plain/16")!).toBeGreaterThanOrEqual(0.9);
    expect(recalls.get("refined/16")!).toBeGreaterThanOrEqual(0.9);
    expect(recalls.get("plain/32")!).toBeGreaterThanOrEqual(recalls.get("plain/1")!);
  });

  it("a too-small fetch budget is refused with LIMIT_EXCEEDED before any subrequest", async () => {
    const before = store.gets;
    const error = await search(store, queries[0]!, { index: "plain", budget: { maxFetches: 1 } }).catch((e: unknown) => e);
    expect(isEvoDBError(error, "LIMIT_EXCEEDED")).toBe(true);
    expect((error as Error).message).toMatch(/needs 2 fetches but the budget allows 1/);
    expect(store.gets).toBe(before);
  });

  it("a byte budget below the planned reads is refused with LIMIT_EXCEEDED naming the bytes", async () => {
    const cache = new Map<string, IndexHeader>();
    await search(store, queries[0]!, { index: "plain", headerCache: cache });
    const before = store.gets;
    const error = await search(store, queries[0]!, { index: "plain", nprobes: 32, headerCache: cache, budget: { maxBytes: 10_000 } }).catch((e: unknown) => e);
    expect(isEvoDBError(error, "LIMIT_EXCEEDED")).toBe(true);
    expect((error as { details: { budget: string } }).details.budget).toBe("bytes");
    expect(store.gets).toBe(before);
  });

  it("coalescing fits 32 probed partitions into whatever fetches are left, with identical answers", async () => {
    const cache = new Map<string, IndexHeader>();
    for (let q = 0; q < 10; q++) {
      const wide = await search(store, queries[q]!, { index: "refined", nprobes: 32, headerCache: cache, maxGapBytes: 0 });
      for (const maxFetches of [1, 2, 3]) {
        const before = store.gets;
        const narrow = await search(store, queries[q]!, { index: "refined", nprobes: 32, headerCache: cache, maxGapBytes: 0, budget: { maxFetches } });
        expect(store.gets - before).toBeLessThanOrEqual(maxFetches);
        expect(Array.from(narrow.rowIds)).toEqual(Array.from(wide.rowIds));
        expect(Array.from(narrow.distances)).toEqual(Array.from(wide.distances));
      }
    }
  });
});
