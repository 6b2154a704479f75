import { EvoDBError } from "@evodb/core";
import { finiteNumber, malformed, objectOf, type Reducer } from "../reducer";

/** One candidate of a top-k: a stable id and its score. */
export interface TopKItem {
  id: string;
  score: number;
}

/** Top-k partial: a buffer of candidates, pruned to `k` once it doubles. */
export interface TopKPartial {
  items: TopKItem[];
}

/**
 * Highest score first; equal scores by id in UTF-16 code-unit order, so every tree shape picks the
 * same k items (a tie-break by arrival order would depend on which child answered first).
 */
export function compareTopK(a: TopKItem, b: TopKItem): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function prune(items: TopKItem[], k: number): TopKItem[] {
  items.sort(compareTopK);
  if (items.length > k) items.length = k;
  return items;
}

/** The `k` highest-scoring items, best first, ties broken by id. */
export function topKReducer(k: number): Reducer<TopKPartial, TopKItem[]> & { add(partial: TopKPartial, id: string, score: number): void } {
  if (!Number.isSafeInteger(k) || k < 1) {
    throw new EvoDBError("INVALID_ARGUMENT", `snippets-chain: top-k needs an integer k >= 1, got ${String(k)}`, { details: { field: "k" } });
  }
  return {
    kind: `topk(${k})`,
    /** Adds one candidate. Scores must be finite numbers (NaN has no order). */
    add(partial, id, score) {
      if (!Number.isFinite(score)) {
        throw new EvoDBError("INVALID_ARGUMENT", `snippets-chain: top-k score for "${id}" must be finite, got ${score}`, { details: { id } });
      }
      partial.items.push({ id, score });
      // Amortised pruning: sort only when the buffer doubles, so adding n items costs O(n log k).
      if (partial.items.length >= 2 * k) prune(partial.items, k);
    },
    empty: () => ({ items: [] }),
    merge: (left, right) => ({ items: prune(left.items.concat(right.items), k) }),
    finalize: (partial) => prune(partial.items.slice(), k),
    encode: (partial) => prune(partial.items, k).map((item) => [item.id, item.score]),
    decode: (json) => {
      if (!Array.isArray(json) || json.length > k) throw malformed("topk", `expected an array of at most ${k} [id, score] pairs`);
      return {
        items: json.map((pair) => {
          if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") throw malformed("topk", "expected [id, score]");
          return { id: pair[0], score: finiteNumber("topk", pair[1], "score") };
        }),
      };
    },
  };
}
