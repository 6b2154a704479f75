/**
 * Data of the snippets section: 100,000 indexed vectors and held-out queries drawn from the same
 * seeded Gaussian mixture (clusteredVectors in @evodb/test-utils), and the exact top-10 of every
 * query by brute force (exactNeighbours of the Lance section), the ground truth recall is measured against.
 */
import { clusteredVectors } from "@evodb/test-utils";
import { exactNeighbours } from "./lance-data";

/** Shape of the vector benchmark (the 100,000 x 128). */
export const VECTOR_ROWS = 100_000;
export const VECTOR_DIM = 128;
/** Mixture components: about 1,000 rows each, split over ~3 IVF partitions each (316 partitions). */
export const VECTOR_CLUSTERS = 100;
export const VECTOR_SEED = 2026;
/** Queries per configuration; p99 is the 2nd-worst of 200. */
export const QUERY_COUNT = 200;
/** Neighbours per query (recall@10). */
export const K = 10;

/** Indexed vectors, held-out queries and their exact neighbours. */
export interface VectorData {
  vectors: Float32Array;
  queries: Float32Array[];
  /** Row positions of the exact top-K of each query, nearest first. */
  truth: Int32Array[];
}

/** Generates the vectors and queries (rows after the indexed ones) and the exact answers. */
export function buildVectorData(): VectorData {
  const all = clusteredVectors(VECTOR_SEED, VECTOR_ROWS + QUERY_COUNT, VECTOR_DIM, VECTOR_CLUSTERS);
  const vectors = all.subarray(0, VECTOR_ROWS * VECTOR_DIM);
  const queries: Float32Array[] = [];
  const truth: Int32Array[] = [];
  for (let q = 0; q < QUERY_COUNT; q++) {
    const at = (VECTOR_ROWS + q) * VECTOR_DIM;
    queries.push(all.slice(at, at + VECTOR_DIM));
    truth.push(exactNeighbours(vectors, VECTOR_DIM, queries[q]!, K));
  }
  return { vectors, queries, truth };
}
