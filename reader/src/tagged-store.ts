import type { JsonValue } from "@evodb/core";
import { Kind } from "./value-order";
import type { Vec } from "./vector";

/**
 * A growable, randomly writable column of tagged values (the storage form of {@link Vec}): group
 * keys, MIN/MAX states and ORDER BY keys of candidate rows live here across batches.
 */
export class TaggedStore {
  kinds = new Uint8Array(16);
  nums = new Float64Array(16);
  strs: (string | undefined)[] = [];
  others: (JsonValue | undefined)[] = [];
  length = 0;

  /** Makes room for index `size - 1`, keeping contents; new slots are NULL. */
  ensure(size: number): void {
    if (size > this.length) this.length = size;
    if (size <= this.kinds.length) return;
    let capacity = this.kinds.length;
    while (capacity < size) capacity *= 2;
    const kinds = new Uint8Array(capacity);
    kinds.set(this.kinds);
    const nums = new Float64Array(capacity);
    nums.set(this.nums);
    this.kinds = kinds;
    this.nums = nums;
  }

  /** Copies slot `j` of a vector into slot `i`. */
  setFromVec(i: number, vec: Vec, j: number): void {
    this.ensure(i + 1);
    const kind = vec.kinds[j]!;
    this.kinds[i] = kind;
    this.nums[i] = vec.nums[j]!;
    if (kind === Kind.String) this.strs[i] = vec.strs![j];
    else if (kind === Kind.Other) this.others[i] = vec.others![j];
  }

  /** Appends slot `j` of a vector; returns the new index. */
  pushFromVec(vec: Vec, j: number): number {
    const i = this.length;
    this.setFromVec(i, vec, j);
    return i;
  }

  /** The whole store as a vector (shares nothing that later writes could change). */
  toVec(): Vec {
    const n = this.length;
    const hasStrs = this.strs.length > 0;
    const hasOthers = this.others.length > 0;
    return {
      length: n,
      kinds: this.kinds.slice(0, n),
      nums: this.nums.slice(0, n),
      strs: hasStrs ? this.strs.slice(0, n) : undefined,
      others: hasOthers ? this.others.slice(0, n) : undefined,
    };
  }

  /** A read-only vector view over the current contents, for comparisons without copying. */
  view(): Vec {
    return { length: this.length, kinds: this.kinds, nums: this.nums, strs: this.strs, others: this.others };
  }
}

/** Grows a Float64Array to at least `size` slots (doubling), keeping contents. */
export function growFloat64(array: Float64Array, size: number): Float64Array {
  if (size <= array.length) return array;
  let capacity = Math.max(16, array.length);
  while (capacity < size) capacity *= 2;
  const out = new Float64Array(capacity);
  out.set(array);
  return out;
}

/** Grows a Uint32Array to at least `size` slots (doubling), keeping contents. */
export function growUint32(array: Uint32Array, size: number): Uint32Array {
  if (size <= array.length) return array;
  let capacity = Math.max(16, array.length);
  while (capacity < size) capacity *= 2;
  const out = new Uint32Array(capacity);
  out.set(array);
  return out;
}
