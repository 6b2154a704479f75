/** Seeded vector data for the vector-search tests and the benchmark. */
import { Random } from "./random";

/**
 * `n * dim` float32 values, row-major: a Gaussian mixture of `clusters` seeded centres (each
 * coordinate N(0, 4^2)) with unit-variance noise around the centre a row picks at random, the shape
 * an IVF index is built for. Rows are generated in order, so the first `n` rows of a call with a
 * larger `n` (same seed, dim and clusters) are the same rows: take held-out queries from the tail.
 */
export function clusteredVectors(seed: number, n: number, dim: number, clusters: number): Float32Array {
  const random = new Random(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian() * 4;
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = random.int(0, clusters - 1);
    for (let j = 0; j < dim; j++) out[i * dim + j] = centres[c * dim + j]! + gaussian();
  }
  return out;
}
