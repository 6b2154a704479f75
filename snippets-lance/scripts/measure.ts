/**
 * Measures recall@10, time, fetches and bytes per query over nprobes on seeded clustered vectors.
 * Usage: tsx scripts/measure.ts [rows=100000] [dim=128] [queries=200]
 * Times are wall-clock per query on an in-memory store (no network), i.e. the CPU a query costs.
 */
import { MemoryObjectStore } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { buildIndex, search, writeIndex, type IndexHeader } from "../src/index";
import { clusteredVectors, exactSearch } from "../test/helpers";

const [rows = 100_000, dim = 128, queryCount = 200] = process.argv.slice(2).map(Number);
const vectors = clusteredVectors(2026, rows, dim, 100);
const store = new MemoryObjectStore();
for (const refine of [false, true]) {
  const started = performance.now();
  const built = buildIndex(vectors, { dim, refine, iterations: 6 });
  console.log(`build refine=${refine}: ${((performance.now() - started) / 1000).toFixed(1)} s, header ${built.header.length} B, data ${built.data.length} B`);
  await writeIndex(store, refine ? "refined" : "plain", built);
}
const random = new Random(77);
const queries: number[][] = [];
const truth: Set<number>[] = [];
for (let q = 0; q < queryCount; q++) {
  const row = random.int(0, rows - 1);
  queries.push(Array.from({ length: dim }, (_, j) => vectors[row * dim + j]! + (random.next() - 0.5)));
  truth.push(new Set(exactSearch(vectors, dim, queries[q]!, 10, "l2").ids));
}
console.log("index\tnprobes\trecall@10\tmean ms\tp99 ms\tmax fetches\tmean KB read");
for (const index of ["plain", "refined"]) {
  const headerCache = new Map<string, IndexHeader>();
  await search(store, queries[0]!, { index, headerCache });
  for (const nprobes of [2, 4, 8, 16, 32]) {
    const times: number[] = [];
    let hits = 0;
    let maxFetches = 0;
    let bytes = 0;
    for (let q = 0; q < queryCount; q++) {
      const started = performance.now();
      const result = await search(store, queries[q]!, { index, k: 10, nprobes, headerCache });
      times.push(performance.now() - started);
      maxFetches = Math.max(maxFetches, result.fetches);
      bytes += result.bytesRead;
      for (const id of result.rowIds) if (truth[q]!.has(id)) hits++;
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const p99 = times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]!;
    console.log(`${index}\t${nprobes}\t${(hits / (queryCount * 10)).toFixed(3)}\t${mean.toFixed(2)}\t${p99.toFixed(2)}\t${maxFetches}\t${(bytes / queryCount / 1024).toFixed(0)}`);
  }
}
