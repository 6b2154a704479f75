/**
 * A bounded max-heap keeping the k smallest (distance, id) pairs in preallocated typed arrays:
 * no allocation per candidate. Ties on distance keep the smaller id.
 */
export class TopK {
  readonly distances: Float64Array;
  readonly ids: Float64Array;
  size = 0;

  constructor(readonly k: number) {
    this.distances = new Float64Array(Math.max(k, 1));
    this.ids = new Float64Array(Math.max(k, 1));
  }

  /** The largest distance kept, or Infinity while not full. */
  get worst(): number {
    return this.size < this.k ? Infinity : this.distances[0]!;
  }

  private greater(i: number, j: number): boolean {
    const a = this.distances[i]!, b = this.distances[j]!;
    return a > b || (a === b && this.ids[i]! > this.ids[j]!);
  }

  /** Offers a candidate. */
  push(distance: number, id: number): void {
    if (this.k === 0) return;
    const d = this.distances, ids = this.ids;
    if (this.size < this.k) {
      let i = this.size++;
      d[i] = distance;
      ids[i] = id;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.greater(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    if (distance > d[0]! || (distance === d[0]! && id >= ids[0]!)) return;
    d[0] = distance;
    ids[0] = id;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let largest = i;
      if (l < this.size && this.greater(l, largest)) largest = l;
      if (r < this.size && this.greater(r, largest)) largest = r;
      if (largest === i) break;
      this.swap(i, largest);
      i = largest;
    }
  }

  private swap(i: number, j: number): void {
    const d = this.distances, ids = this.ids;
    const td = d[i]!, ti = ids[i]!;
    d[i] = d[j]!;
    ids[i] = ids[j]!;
    d[j] = td;
    ids[j] = ti;
  }

  /** The kept pairs sorted by ascending distance (then id). */
  sorted(): { ids: Float64Array; distances: Float32Array } {
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) => this.distances[a]! - this.distances[b]! || this.ids[a]! - this.ids[b]!);
    return { ids: Float64Array.from(order, (i) => this.ids[i]!), distances: Float32Array.from(order, (i) => this.distances[i]!) };
  }
}
