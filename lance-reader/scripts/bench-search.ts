/**
 * Informal search latency: p50/p99 per query on one thread, recall@10 against exact search, and
 * lancedb on the same files. Run: `tsx lance-reader/scripts/bench-search.ts <fixture dir>`.
 */
import * as lancedb from "@lancedb/lancedb";
import { DirectoryObjectStore } from "@evodb/core/node";
import { openDataset, VectorSearcher } from "../src/index";
import { ANN_SEEDS, makeVectors } from "./make-fixtures";

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx bench-search.ts <fixture dir>");
const N = 200;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
for (const name of ["ann_l2", "ann_cosine"] as const) {
  const ds = await openDataset(new DirectoryObjectStore(dir), `${name}.lance`);
  const searcher = new VectorSearcher(ds);
  const table = await (await lancedb.connect(dir)).openTable(name);
  const dim = 128;
  const queries = makeVectors(ANN_SEEDS[name][0], 777, N, dim);
  const q = (i: number) => queries.subarray(i * dim, (i + 1) * dim);
  const t0 = performance.now();
  await searcher.search({ column: "vector", query: q(0), k: 10 });
  const cold = performance.now() - t0;
  const exact: Set<number>[] = [];
  for (let i = 0; i < N; i++) exact.push(new Set((await searcher.search({ column: "vector", query: q(i), k: 10, useIndex: false, metric: name === "ann_cosine" ? "cosine" : "l2" })).rowIds));
  for (const refineFactor of [undefined, 5]) {
    const times: number[] = [];
    const lance: number[] = [];
    let hits = 0;
    for (let i = 0; i < N; i++) {
      const s = performance.now();
      const r = await searcher.search({ column: "vector", query: q(i), k: 10, nprobes: 20, refineFactor });
      times.push(performance.now() - s);
      for (const id of r.rowIds) if (exact[i]!.has(id)) hits++;
      let lq = table.query().nearestTo(Array.from(q(i))).nprobes(20).limit(10);
      if (refineFactor) lq = lq.refineFactor(refineFactor);
      const l = performance.now();
      await lq.toArray();
      lance.push(performance.now() - l);
    }
    console.log(JSON.stringify({ table: name, refineFactor: refineFactor ?? null, coldFirstQueryMs: +cold.toFixed(1), p50Ms: +pct(times, 0.5).toFixed(3), p99Ms: +pct(times, 0.99).toFixed(3), recallAt10: hits / (N * 10), lancedbP50Ms: +pct(lance, 0.5).toFixed(3), lancedbP99Ms: +pct(lance, 0.99).toFixed(3) }));
  }
}
