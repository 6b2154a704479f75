/**
 * Seeded Lloyd's k-means for the IVF partitions. No dependency: a few iterations on a sample are
 * enough for partitioning (recall is recovered by probing more partitions, not by perfect centroids).
 */

/** A small deterministic PRNG (mulberry32) so builds are reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Squared l2 between row `row` of `vectors` and centroid `c`, abandoned as soon as the partial sum
 * exceeds `bound` (then some value > `bound` is returned). The sum is accumulated in dimension order
 * with one accumulator, so a completed distance is bit-identical to the plain loop.
 */
function boundedDistance(vectors: Float32Array, base: number, centroids: Float32Array, cb: number, dim: number, bound: number): number {
  let d = 0;
  let j = 0;
  // Checking the bound every 8 dimensions keeps the loop tight; on clustered data most centroids
  // are abandoned after the first 8-16 dimensions, which makes index builds several times faster.
  for (; j + 8 <= dim; j += 8) {
    const d0 = vectors[base + j]! - centroids[cb + j]!;
    const d1 = vectors[base + j + 1]! - centroids[cb + j + 1]!;
    const d2 = vectors[base + j + 2]! - centroids[cb + j + 2]!;
    const d3 = vectors[base + j + 3]! - centroids[cb + j + 3]!;
    const d4 = vectors[base + j + 4]! - centroids[cb + j + 4]!;
    const d5 = vectors[base + j + 5]! - centroids[cb + j + 5]!;
    const d6 = vectors[base + j + 6]! - centroids[cb + j + 6]!;
    const d7 = vectors[base + j + 7]! - centroids[cb + j + 7]!;
    d += d0 * d0;
    d += d1 * d1;
    d += d2 * d2;
    d += d3 * d3;
    d += d4 * d4;
    d += d5 * d5;
    d += d6 * d6;
    d += d7 * d7;
    if (d > bound) return d;
  }
  for (; j < dim; j++) {
    const diff = vectors[base + j]! - centroids[cb + j]!;
    d += diff * diff;
  }
  return d;
}

/**
 * Index of the centroid nearest (squared l2) to row `row` of `vectors`; ties go to the lowest index.
 * `hint` is a centroid tried first (e.g. the row's previous assignment): a near one gives a tight
 * bound from the start. The answer does not depend on the hint.
 */
export function nearestCentroid(vectors: Float32Array, row: number, centroids: Float32Array, k: number, dim: number, hint = 0): number {
  const base = row * dim;
  let best = hint;
  let bestDistance = boundedDistance(vectors, base, centroids, hint * dim, dim, Infinity);
  for (let c = 0; c < k; c++) {
    if (c === hint) continue;
    const d = boundedDistance(vectors, base, centroids, c * dim, dim, bestDistance);
    if (d < bestDistance || (d === bestDistance && c < best)) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

/**
 * A hint for {@link nearestCentroid}: the centroid nearest over the first `prefix` dimensions only.
 * Costs `prefix / dim` of a full scan and is usually the true answer's neighbourhood.
 */
export function prefixNearestCentroid(vectors: Float32Array, row: number, centroids: Float32Array, k: number, dim: number, prefix: number): number {
  const base = row * dim;
  const width = Math.min(prefix, dim);
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const cb = c * dim;
    let d = 0;
    for (let j = 0; j < width; j++) {
      const diff = vectors[base + j]! - centroids[cb + j]!;
      d += diff * diff;
    }
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

/** Options of {@link trainKMeans}. */
export interface KMeansOptions {
  iterations: number;
  seed: number;
  /** Training rows at most (a seeded sample); the final assignment always covers every row. */
  sampleSize: number;
}

/** `k * dim` centroids trained on (a seeded sample of) `n` rows of `vectors`. */
export function trainKMeans(vectors: Float32Array, n: number, dim: number, k: number, options: KMeansOptions): Float32Array {
  const random = seededRandom(options.seed);
  const sampleCount = Math.min(n, Math.max(k, options.sampleSize));
  // A partial Fisher-Yates shuffle picks distinct sample rows without a per-row object.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < sampleCount; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const sample = new Float32Array(sampleCount * dim);
  for (let i = 0; i < sampleCount; i++) sample.set(vectors.subarray(order[i]! * dim, order[i]! * dim + dim), i * dim);
  const centroids = new Float32Array(k * dim);
  centroids.set(sample.subarray(0, k * dim));
  const sums = new Float64Array(k * dim);
  const counts = new Uint32Array(k);
  const assigned = new Uint32Array(sampleCount);
  for (let i = 0; i < sampleCount; i++) assigned[i] = prefixNearestCentroid(sample, i, centroids, k, dim, 16);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < sampleCount; i++) {
      // Centroids move little between iterations, so last iteration's answer is a tight first bound.
      const c = nearestCentroid(sample, i, centroids, k, dim, assigned[i]!);
      assigned[i] = c;
      counts[c]!++;
      for (let j = 0; j < dim; j++) sums[c * dim + j]! += sample[i * dim + j]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty cluster restarts at a random sample row instead of staying dead.
        const r = Math.floor(random() * sampleCount);
        centroids.set(sample.subarray(r * dim, r * dim + dim), c * dim);
        continue;
      }
      for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j]! / counts[c]!;
    }
  }
  return centroids;
}

/**
 * Reorders centroids along a greedy nearest-neighbour tour, so partitions that are near in vector
 * space are near in the data object and the partitions one query probes coalesce into few, tight
 * Range reads (docs/snippets-lance.md, "Partition order").
 */
export function orderCentroidsByTour(centroids: Float32Array, k: number, dim: number): Float32Array {
  const visited = new Uint8Array(k);
  const out = new Float32Array(k * dim);
  let current = 0;
  for (let step = 0; step < k; step++) {
    visited[current] = 1;
    out.set(centroids.subarray(current * dim, current * dim + dim), step * dim);
    let next = -1;
    let nextDistance = Infinity;
    for (let c = 0; c < k; c++) {
      if (visited[c] === 1) continue;
      let d = 0;
      for (let j = 0; j < dim; j++) {
        const diff = centroids[current * dim + j]! - centroids[c * dim + j]!;
        d += diff * diff;
      }
      if (d < nextDistance) {
        nextDistance = d;
        next = c;
      }
    }
    current = next;
  }
  return out;
}
