import { EvoDBError } from "@evodb/core";
import { malformed, objectOf, type Reducer } from "../reducer";

/** Concatenation partial: the first items in partition order, and whether any were dropped. */
export interface ConcatPartial<T> {
  items: T[];
  truncated: boolean;
}

/**
 * The first `limit` items in partition order (merges are applied left to right, so the answer is the
 * same as one node reading the partitions in order), with `truncated` set when more existed.
 */
export function concatReducer<T = unknown>(limit: number): Reducer<ConcatPartial<T>, ConcatPartial<T>> & { add(partial: ConcatPartial<T>, item: T): void } {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new EvoDBError("INVALID_ARGUMENT", `snippets-chain: concat needs an integer limit >= 0, got ${String(limit)}`, { details: { field: "limit" } });
  }
  return {
    kind: `concat(${limit})`,
    /** Appends one item, or marks the partial truncated when it is full. */
    add(partial, item) {
      if (partial.items.length < limit) partial.items.push(item);
      else partial.truncated = true;
    },
    empty: () => ({ items: [], truncated: false }),
    merge: (left, right) => {
      const room = limit - left.items.length;
      const items = right.items.length <= room ? left.items.concat(right.items) : left.items.concat(right.items.slice(0, room));
      return { items, truncated: left.truncated || right.truncated || right.items.length > room };
    },
    finalize: (partial) => ({ items: partial.items.slice(), truncated: partial.truncated }),
    encode: (partial) => ({ items: partial.items, truncated: partial.truncated }),
    decode: (json) => {
      const object = objectOf("concat", json);
      if (!Array.isArray(object.items) || object.items.length > limit) throw malformed("concat", `items must be an array of at most ${limit}`);
      if (typeof object.truncated !== "boolean") throw malformed("concat", "truncated must be a boolean");
      return { items: object.items as T[], truncated: object.truncated };
    },
  };
}
