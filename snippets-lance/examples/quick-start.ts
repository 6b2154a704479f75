// Build an index over 2,000 random 32-dim vectors, store it, and query it within a 5-fetch budget.
import { MemoryObjectStore } from "@evodb/core";
import { buildIndex, search, writeIndex, type IndexHeader } from "@evodb/snippets-lance";

const dim = 32;
const vectors = new Float32Array(2000 * dim).map((_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
const store = new MemoryObjectStore(); // in a Worker or Snippet: env.BUCKET (an R2 binding)
await writeIndex(store, "docs/embeddings", buildIndex(vectors, { dim, refine: true }));

const headerCache = new Map<string, IndexHeader>(); // keep in module scope: later queries skip the header fetch
const query = Array.from(vectors.subarray(42 * dim, 43 * dim));
const hits = await search(store, query, { index: "docs/embeddings", k: 3, nprobes: 8, headerCache, budget: { maxFetches: 5 } });
console.log(Array.from(hits.rowIds), hits.fetches, hits.bytesRead); // row 42 first, at distance 0; 2-5 fetches
