/**
 * Data of the snippets section: 100,000 indexed vectors and held-out queries drawn from the same
 * seeded Gaussian mixture (clusteredVectors in @evodb/test-utils), and the exact top-10 of every
 * query by brute force, the ground truth recall is measured against.
 */
import { clusteredVectors } from "@evodb/test-utils";

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
  truth: Uint32Array[];
}

/**
 * Exact top-`k` rows by squared l2 (ties by position): a full scan with early abandonment against
 * the current k-th distance, which cannot change the answer because every term is >= 0.
 */
export function exactTopK(vectors: Float32Array, dim: number, query: Float32Array, k: number): Uint32Array {
  const n = vectors.length / dim;
  const ids = new Uint32Array(k);
  const distances = new Float64Array(k).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const base = i * dim;
    const bound = distances[k - 1]!;
    let d = 0;
    for (let j = 0; j < dim && d <= bound; j++) {
      const diff = vectors[base + j]! - query[j]!;
      d += diff * diff;
    }
    if (d >= bound) continue;
    let at = k - 1;
    while (at > 0 && distances[at - 1]! > d) {
      distances[at] = distances[at - 1]!;
      ids[at] = ids[at - 1]!;
      at--;
    }
    distances[at] = d;
    ids[at] = i;
  }
  return ids;
}

/** Generates the vectors and queries (rows after the indexed ones) and the exact answers. */
export function buildVectorData(): VectorData {
  const all = clusteredVectors(VECTOR_SEED, VECTOR_ROWS + QUERY_COUNT, VECTOR_DIM, VECTOR_CLUSTERS);
  const vectors = all.subarray(0, VECTOR_ROWS * VECTOR_DIM);
  const queries: Float32Array[] = [];
  const truth: Uint32Array[] = [];
  for (let q = 0; q < QUERY_COUNT; q++) {
    const at = (VECTOR_ROWS + q) * VECTOR_DIM;
    queries.push(all.slice(at, at + VECTOR_DIM));
    truth.push(exactTopK(vectors, VECTOR_DIM, queries[q]!, K));
  }
  return { vectors, queries, truth };
}

/** How many of the exact top-K are among `found`; recall@K is the sum over queries / (queries * K). */
export function hitsAmong(truth: Uint32Array, found: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < found.length; i++) if (truth.includes(found[i]!)) hits++;
  return hits;
}
