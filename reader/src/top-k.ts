import type { JsonValue } from "@evodb/core";
import { compareVecRows } from "./compare-kernels";
import { TaggedStore } from "./tagged-store";
import { Kind } from "./value-order";
import type { Vec } from "./vector";

/** Direction and NULL placement of one sort key. */
export interface SortKeySpec {
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** An output row: column name to value. */
export type ResultRow = Record<string, JsonValue>;

/**
 * ORDER BY over rows arriving in batches, keeping memory bounded when there is a LIMIT:
 * with `keep` = LIMIT + OFFSET it holds at most 2 * keep candidates, truncating to the best `keep`
 * whenever it fills, and rows of later batches that cannot beat the current `keep`-th row are
 * rejected on their sort keys before they are ever materialised (top-k with late materialisation).
 */
export class TopK {
  private readonly keyStores: TaggedStore[];
  private rows: ResultRow[] = [];
  /** Candidate index of the current `keep`-th best row, once known. */
  private threshold = -1;

  constructor(
    private readonly specs: readonly SortKeySpec[],
    private readonly keep: number | undefined,
  ) {
    this.keyStores = specs.map(() => new TaggedStore());
  }

  /**
   * Offers the rows of one batch: `keys[e]` holds sort key e for each candidate position, and
   * `materialise` builds the output rows of the positions that survive the threshold.
   */
  offer(keys: readonly Vec[], count: number, materialise: (positions: Uint32Array) => ResultRow[]): void {
    if (this.keep === 0 || count === 0) return;
    let positions = new Uint32Array(count);
    let kept = 0;
    if (this.threshold >= 0) {
      const views = this.keyStores.map((s) => s.view());
      for (let j = 0; j < count; j++) if (this.compareAcross(keys, j, views, this.threshold) < 0) positions[kept++] = j;
    } else {
      for (let j = 0; j < count; j++) positions[kept++] = j;
    }
    positions = positions.subarray(0, kept);
    if (kept === 0) return;
    const rows = materialise(positions);
    for (let i = 0; i < kept; i++) {
      const index = this.rows.length;
      this.rows.push(rows[i]!);
      keys.forEach((vec, e) => this.keyStores[e]!.setFromVec(index, vec, positions[i]!));
    }
    if (this.keep !== undefined && this.rows.length >= 2 * this.keep) this.compact(this.keep);
  }

  /** The rows in order (at most `keep` when a limit was given). */
  finish(): ResultRow[] {
    const order = this.sortedOrder();
    const limited = this.keep === undefined ? order : order.slice(0, this.keep);
    return limited.map((i) => this.rows[i]!);
  }

  private sortedOrder(): number[] {
    const views = this.keyStores.map((s) => s.view());
    const order = Array.from({ length: this.rows.length }, (_, i) => i);
    // Array.prototype.sort is stable, so ties keep arrival order.
    order.sort((a, b) => this.compareAcross(views, a, views, b));
    return order;
  }

  private compact(keep: number): void {
    const order = this.sortedOrder().slice(0, keep);
    const stores = this.specs.map(() => new TaggedStore());
    const views = this.keyStores.map((s) => s.view());
    this.rows = order.map((i, k) => {
      stores.forEach((store, e) => store.setFromVec(k, views[e]!, i));
      return this.rows[i]!;
    });
    this.keyStores.splice(0, this.keyStores.length, ...stores);
    this.threshold = this.rows.length === keep ? keep - 1 : -1;
  }

  private compareAcross(a: readonly Vec[], i: number, b: readonly Vec[], j: number): number {
    for (let e = 0; e < this.specs.length; e++) {
      const spec = this.specs[e]!;
      const va = a[e]!;
      const vb = b[e]!;
      const nullA = va.kinds[i] === Kind.Null;
      const nullB = vb.kinds[j] === Kind.Null;
      if (nullA || nullB) {
        if (nullA && nullB) continue;
        return nullA === spec.nullsFirst ? -1 : 1;
      }
      const c = compareVecRows(va, i, vb, j);
      if (c !== 0) return spec.descending ? -c : c;
    }
    return 0;
  }
}
