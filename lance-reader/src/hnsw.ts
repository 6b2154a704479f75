/**
 * @evodb/lance-reader/hnsw: search of IVF_HNSW_SQ indices, an opt-in entry point so the main entry
 * stays within its bundle budget for readers that only meet IVF_PQ (the graph decoding and search
 * add about 5 kB gzip). Pass it to the searcher:
 * `new VectorSearcher(dataset, { indexTypes: [ivfHnswSq] })`.
 */
import { EvoDBError } from "@evodb/core";
import { HnswSqSearcher, loadIvfHnswSq } from "./vector/ivf-hnsw-sq";
import type { VectorIndexType } from "./vector/load-index";
import { TopK } from "./vector/top-k";

/** The IVF_HNSW_SQ index type (see docs/lance-reader.md, "IVF_HNSW_SQ"). */
export const ivfHnswSq: VectorIndexType = {
  type: "IVF_HNSW_SQ",
  async load(store, root, entry, indexFile) {
    const index = await loadIvfHnswSq(store, root, entry, indexFile);
    const searcher = new HnswSqSearcher(index);
    return {
      type: "IVF_HNSW_SQ",
      metric: index.metric,
      fragments: index.fragments,
      search({ query, k, nprobes, ef, candidates, allowed }) {
        // Lance's default beam is k + k/2 (k including the refine factor).
        const width = ef ?? k + Math.floor(k / 2);
        if (!Number.isInteger(width) || width < k) throw new EvoDBError("INVALID_ARGUMENT", `ef must be an integer of at least k * refineFactor (${k}), got ${width}`);
        return searcher.search(query, k, nprobes, width, candidates, new TopK(Math.min(nprobes, index.numPartitions)), allowed);
      },
    };
  },
};

export type { VectorIndexType, LoadedVectorIndex, IndexQuery } from "./vector/load-index";
