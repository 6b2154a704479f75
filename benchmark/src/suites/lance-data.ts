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

/** Standard normal samples by Box-Muller, using both values of each pair (half the log/sqrt/trig work). */
class Gaussian {
  private spare = 0;
  private hasSpare = false;

  constructor(private readonly random: Random) {}

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.random.next()));
    const angle = 2 * Math.PI * this.random.next();
    this.spare = radius * Math.sin(angle);
    this.hasSpare = true;
    return radius * Math.cos(angle);
  }
}

/** `rows * dim` float32 vectors, row-major; the same spec always gives the same values. */
export function mixtureVectors(spec: MixtureSpec): Float32Array {
  const { spaceSeed, sampleSeed, rows, dim } = spec;
  const space = new Gaussian(new Random(spaceSeed));
  const centres = new Float32Array(CLUSTERS * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = space.next() * CENTRE_SCALE;
  // Each cluster gets its own random map from LATENT dimensions into dim, scaled so a latent step
  // of 1 moves the point by about LATENT_SCALE.
  const maps = new Float32Array(CLUSTERS * LATENT * dim);
  for (let i = 0; i < maps.length; i++) maps[i] = (space.next() * LATENT_SCALE) / Math.sqrt(LATENT);
  const random = new Random(sampleSeed);
  const gaussian = new Gaussian(random);
  const latent = new Float64Array(LATENT);
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const c = random.int(0, CLUSTERS - 1);
    for (let l = 0; l < LATENT; l++) latent[l] = gaussian.next();
    const map = c * LATENT * dim;
    for (let d = 0; d < dim; d++) {
      let s = centres[c * dim + d]!;
      for (let l = 0; l < LATENT; l++) s += maps[map + l * dim + d]! * latent[l]!;
      out[r * dim + d] = s + NOISE_SCALE * gaussian.next();
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
    const base = r * dim;
    // Four independent sums: the adds pipeline instead of waiting on one another.
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let d = 0;
    for (; d + 4 <= dim; d += 4) {
      const x0 = vectors[base + d]! - query[d]!, x1 = vectors[base + d + 1]! - query[d + 1]!;
      const x2 = vectors[base + d + 2]! - query[d + 2]!, x3 = vectors[base + d + 3]! - query[d + 3]!;
      s0 += x0 * x0;
      s1 += x1 * x1;
      s2 += x2 * x2;
      s3 += x3 * x3;
    }
    for (; d < dim; d++) {
      const x = vectors[base + d]! - query[d]!;
      s0 += x * x;
    }
    const s = s0 + s1 + (s2 + s3);
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

/** How many of `found` are among the exact neighbours `truth`. */
export function hitsAmong(truth: Int32Array, found: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < found.length; i++) if (truth.includes(found[i]!)) hits++;
  return hits;
}

/** Fraction of `truth` found in `found` (recall@k with k = truth.length). */
export function recallOf(found: ArrayLike<number>, truth: Int32Array): number {
  return hitsAmong(truth, found) / truth.length;
}
