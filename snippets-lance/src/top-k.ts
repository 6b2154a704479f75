/**
 * A bounded max-heap on typed arrays: keeps the `capacity` smallest (distance, payload) pairs without
 * per-item objects. Pairs order by distance, then payload, so which of several equal distances is
 * kept does not depend on the order they were offered in.
 */
export class TopK {
  readonly capacity: number;
  size = 0;
  private readonly distances: Float64Array;
  private readonly payloads: Float64Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.distances = new Float64Array(capacity);
    this.payloads = new Float64Array(capacity);
  }

  /** The largest distance kept, or Infinity while the heap is not full (anything smaller gets in; an equal one may, by payload). */
  get threshold(): number {
    return this.size < this.capacity ? Infinity : this.distances[0]!;
  }

  /** Offers one candidate; `payload` is any number the caller uses to find the row again. */
  push(distance: number, payload: number): void {
    if (this.capacity === 0) return;
    const d = this.distances;
    const p = this.payloads;
    if (this.size < this.capacity) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (d[parent]! > distance || (d[parent] === distance && p[parent]! > payload)) break;
        d[i] = d[parent]!;
        p[i] = p[parent]!;
        i = parent;
      }
      d[i] = distance;
      p[i] = payload;
      return;
    }
    if (distance > d[0]! || (distance === d[0] && payload >= p[0]!)) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && (d[right]! > d[left]! || (d[right] === d[left] && p[right]! > p[left]!)) ? right : left;
      if (d[child]! < distance || (d[child] === distance && p[child]! < payload)) break;
      d[i] = d[child]!;
      p[i] = p[child]!;
      i = child;
    }
    d[i] = distance;
    p[i] = payload;
  }

  /** Kept candidates by ascending distance (ties by ascending payload, so results are deterministic). */
  sorted(): { distances: Float64Array; payloads: Float64Array } {
    const order = Array.from({ length: this.size }, (_, i) => i);
    order.sort((a, b) => this.distances[a]! - this.distances[b]! || this.payloads[a]! - this.payloads[b]!);
    return {
      distances: Float64Array.from(order, (i) => this.distances[i]!),
      payloads: Float64Array.from(order, (i) => this.payloads[i]!),
    };
  }
}
