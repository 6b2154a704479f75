/**
 * Vectors and ground truth for the Lance search section: a seeded Gaussian mixture with structure
 * inside each cluster, exact (brute-force) nearest neighbours computed in JS over the raw vectors,
 * and recall@k of a result against them.
 *
 * Why this shape: IVF partitions only pay when the data are clustered, and PQ recall is only
 * meaningful when a point's neighbours are closer than the rest of its cluster. Isotropic noise in 128
 * dimensions makes every cluster member nearly equidistant, so each cluster here varies mostly along
 * a low-dimensional subspace (as text and image embeddings do) plus a little isotropic noise.
 */
import { Random } from "@evodb/test-utils";

/** Shape of a generated vector set. */
export interface MixtureSpec {
  /** Fixes the cluster centres and their subspaces; queries use the same value. */
  readonly spaceSeed: number;
  /** Fixes which rows are drawn; queries use a different value than the table. */
  readonly sampleSeed: number;
  readonly rows: number;
  readonly dim: number;
}

/** Clusters in the mixture. */
const CLUSTERS = 100;
/** Dimensions of each cluster's subspace. */
const LATENT = 8;
/**
 * Spread of cluster centres, of the within-cluster subspace and of the isotropic noise. Centres
 * close enough that clusters overlap (a query's neighbours can lie in several IVF partitions, so
 * recall grows with nprobes); with centres three times further apart every neighbour sat in the
 * first five partitions probed and the curve was flat.
 */
const CENTRE_SCALE = 0.3;
const LATENT_SCALE = 0.5;
const NOISE_SCALE = 0.05;

function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** `rows * dim` float32 vectors, row-major; the same spec always gives the same values. */
export function mixtureVectors(spec: MixtureSpec): Float32Array {
  const { spaceSeed, sampleSeed, rows, dim } = spec;
  const space = new Random(spaceSeed);
  const centres = new Float32Array(CLUSTERS * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(space) * CENTRE_SCALE;
  // Each cluster gets its own random map from LATENT dimensions into dim, scaled so a latent step
  // of 1 moves the point by about LATENT_SCALE.
  const maps = new Float32Array(CLUSTERS * LATENT * dim);
  for (let i = 0; i < maps.length; i++) maps[i] = (gaussian(space) * LATENT_SCALE) / Math.sqrt(LATENT);
  const random = new Random(sampleSeed);
  const latent = new Float64Array(LATENT);
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const c = random.int(0, CLUSTERS - 1);
    for (let l = 0; l < LATENT; l++) latent[l] = gaussian(random);
    const map = c * LATENT * dim;
    for (let d = 0; d < dim; d++) {
      let s = centres[c * dim + d]!;
      for (let l = 0; l < LATENT; l++) s += maps[map + l * dim + d]! * latent[l]!;
      out[r * dim + d] = s + NOISE_SCALE * gaussian(random);
    }
  }
  return out;
}

/**
 * Row positions of the exact k nearest rows by squared L2 (ties by position), computed in float64
 * over every row: the ground truth recall is measured against.
 */
export function exactNeighbours(vectors: Float32Array, dim: number, query: Float32Array, k: number): Int32Array {
  const rows = vectors.length / dim;
  const bestDistances = new Float64Array(k).fill(Infinity);
  const bestRows = new Int32Array(k).fill(-1);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * dim;
    for (let d = 0; d < dim; d++) {
      const x = vectors[base + d]! - query[d]!;
      s += x * x;
    }
    if (s >= bestDistances[k - 1]!) continue;
    // Insertion into the sorted top-k: k is 10, so a linear shift beats a heap.
    let i = k - 1;
    while (i > 0 && bestDistances[i - 1]! > s) {
      bestDistances[i] = bestDistances[i - 1]!;
      bestRows[i] = bestRows[i - 1]!;
      i--;
    }
    bestDistances[i] = s;
    bestRows[i] = r;
  }
  return bestRows;
}

/** Fraction of `truth` found in `found` (recall@k with k = truth.length). */
export function recallOf(found: ArrayLike<number>, truth: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < found.length; i++) if (truth.includes(found[i]!)) hits++;
  return hits / truth.length;
}
