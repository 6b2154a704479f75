import { Random } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { nearestCentroid, prefixNearestCentroid } from "../src/kmeans";

/** The plain argmin the early-abandoning search must reproduce: full sums, ties to the lowest index. */
function plainNearest(vectors: Float32Array, row: number, centroids: Float32Array, k: number, dim: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    let d = 0;
    for (let j = 0; j < dim; j++) d += (vectors[row * dim + j]! - centroids[c * dim + j]!) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

describe("nearestCentroid (early abandonment with a hint)", () => {
  it("equals the plain argmin for every hint, on random and on tied data (seeded)", () => {
    const random = new Random(4242);
    for (let trial = 0; trial < 40; trial++) {
      const dim = random.int(1, 40);
      const k = random.int(1, 30);
      const n = 20;
      // Small integer coordinates make exact ties between centroids common.
      const coarse = random.chance(0.5);
      const value = (): number => (coarse ? random.int(-2, 2) : random.next() * 10 - 5);
      const vectors = Float32Array.from({ length: n * dim }, value);
      const centroids = Float32Array.from({ length: k * dim }, value);
      for (let row = 0; row < n; row++) {
        const expected = plainNearest(vectors, row, centroids, k, dim);
        for (let hint = 0; hint < k; hint++) expect(nearestCentroid(vectors, row, centroids, k, dim, hint)).toBe(expected);
        const prefixHint = prefixNearestCentroid(vectors, row, centroids, k, dim, 16);
        expect(prefixHint).toBeGreaterThanOrEqual(0);
        expect(prefixHint).toBeLessThan(k);
      }
    }
  });

  it("a row equal to a centroid maps to it, with any hint", () => {
    const centroids = new Float32Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const vectors = centroids.slice(9, 18);
    expect(nearestCentroid(vectors, 0, centroids, 2, 9, 0)).toBe(1);
    expect(nearestCentroid(vectors, 0, centroids, 2, 9, 1)).toBe(1);
  });
});
