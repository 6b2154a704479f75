/**
 * Seeded product documents with embeddings for `pnpm demo`'s vector search. Each category has a
 * random unit centroid; a product's embedding is its category's centroid plus noise, normalised, so
 * nearest neighbours of a product are mostly products of the same category (what a text-embedding
 * model would give for similar descriptions), without shipping a model.
 */
import { Random } from "@evodb/test-utils";

/** Vector dimension of the demo's embeddings. */
export const PRODUCT_DIM = 32;

const CATEGORIES = {
  headphones: ["wireless", "noise-cancelling", "studio", "sport", "kids"],
  coffee: ["espresso", "filter", "single-origin", "decaf", "cold-brew"],
  running: ["trail", "road", "racing", "cushioned", "minimal"],
  lamps: ["desk", "floor", "reading", "smart", "vintage"],
  backpacks: ["commuter", "hiking", "laptop", "travel", "roll-top"],
  teas: ["green", "black", "oolong", "herbal", "matcha"],
} as const;

/** One product document. */
export interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
  stock: number;
  embedding: number[];
}

function unit(values: number[]): number[] {
  const norm = Math.sqrt(values.reduce((sum, x) => sum + x * x, 0)) || 1;
  return values.map((x) => Math.round((x / norm) * 10_000) / 10_000);
}

function gaussian(random: Random): number {
  // Box-Muller: two uniforms give one normal sample; 1 - next() keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** The category centroids (same seed, same centroids), keyed by category. */
export function categoryCentroids(seed: number): Map<string, number[]> {
  const random = new Random(seed);
  return new Map(Object.keys(CATEGORIES).map((category) => [category, unit(Array.from({ length: PRODUCT_DIM }, () => gaussian(random)))]));
}

/** A vector near a category's centroid, as a query embedding for that kind of product. */
export function queryNear(centroid: readonly number[], seed: number, noise = 0.15): number[] {
  const random = new Random(seed);
  return unit(centroid.map((x) => x + noise * gaussian(random)));
}

/** `count` products, deterministic for a seed. */
export function generateProducts(count: number, seed: number): Product[] {
  const centroids = categoryCentroids(seed);
  const random = new Random(seed + 1);
  const names = Object.entries(CATEGORIES);
  return Array.from({ length: count }, (_, i) => {
    const [category, kinds] = names[random.int(0, names.length - 1)]!;
    const kind = kinds[random.int(0, kinds.length - 1)]!;
    const centroid = centroids.get(category)!;
    return {
      id: `prod-${String(i).padStart(5, "0")}`,
      name: `${kind} ${category} #${i}`,
      category,
      price: Math.round((5 + random.next() * 195) * 100) / 100,
      stock: random.int(0, 500),
      embedding: unit(centroid.map((x) => x + 0.35 * gaussian(random))),
    };
  });
}
