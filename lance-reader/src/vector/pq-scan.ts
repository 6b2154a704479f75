/**
 * The IVF_PQ hot path: coarse partition selection and PQ scoring, partition at a time, on typed
 * arrays with no allocation per candidate.
 *
 * The residual distance table ||(q - p)_j - c||^2 is expanded as
 * ||q_j - p_j||^2 + ||c||^2 - 2<q_j, c> + 2<p_j, c>: <q_j, c> is computed once per query and
 * <p_j, c> once per partition (then cached), so a probe costs O(m * 2^nbits) instead of
 * O(D * 2^nbits). Dot indices use the raw query (table 1 - <q_j, c>, the same for every partition).
 * Scores are summed sub-vector by sub-vector in float32, the order and precision Lance uses.
 */
import type { IvfPartition, IvfPqIndex, Metric } from "./ivf-pq";
import { dot, l2 } from "./kernels";
import type { TopK } from "./top-k";

const K = 256;
/** Cached <partition, codeword> tables per index, in floats (bounds memory on large indices). */
const PARTITION_CACHE_FLOATS = 8 * 1024 * 1024;

/** Per-index precomputation plus reusable buffers. */
export class PqScanner {
  private readonly codeNorms: Float32Array;
  private readonly partitionDots = new Map<number, Float32Array>();
  private cachedFloats = 0;
  private readonly queryDots: Float64Array;
  private readonly table: Float32Array;
  private readonly query: Float32Array;
  private scores = new Float32Array(0);

  constructor(readonly index: IvfPqIndex) {
    const { numSubVectors: m, dimension: d } = index;
    const sub = d / m;
    this.codeNorms = new Float32Array(m * K);
    for (let e = 0; e < m * K; e++) this.codeNorms[e] = dot(index.codebook, e * sub, index.codebook, e * sub, sub);
    this.queryDots = new Float64Array(m * K);
    this.table = new Float32Array(m * K);
    this.query = new Float32Array(d);
  }

  /** <p_j, c> for every sub-vector j and codeword c of partition p. */
  private partitionTable(p: number): Float32Array {
    let hit = this.partitionDots.get(p);
    if (hit) return hit;
    const { numSubVectors: m, dimension: d, codebook, centroids } = this.index;
    const sub = d / m;
    hit = new Float32Array(m * K);
    for (let j = 0; j < m; j++) for (let c = 0; c < K; c++) hit[j * K + c] = dot(centroids, p * d + j * sub, codebook, (j * K + c) * sub, sub);
    if (this.cachedFloats + hit.length <= PARTITION_CACHE_FLOATS) {
      this.partitionDots.set(p, hit);
      this.cachedFloats += hit.length;
    }
    return hit;
  }

  /**
   * Scores the `nprobes` nearest partitions into `heap`, loading each partition when first probed;
   * `allowed(partition)` gives the rows that may be returned (null: all).
   */
  async search(query: Float32Array, metric: Metric, nprobes: number, heap: TopK, probes: TopK, allowed: (part: IvfPartition) => Uint8Array | null): Promise<void> {
    const { numSubVectors: m, dimension: d, codebook, centroids, numPartitions } = this.index;
    const sub = d / m;
    const q = this.query;
    q.set(query);
    // Cosine indices hold normalised vectors trained with L2, so the query is normalised too.
    if (metric === "cosine") {
      const n = Math.sqrt(dot(q, 0, q, 0, d));
      if (n > 0) for (let i = 0; i < d; i++) q[i] = q[i]! / n;
    }
    for (let p = 0; p < numPartitions; p++) probes.push(metric === "dot" ? 1 - dot(q, 0, centroids, p * d, d) : l2(q, 0, centroids, p * d, d), p);
    const qd = this.queryDots;
    for (let j = 0; j < m; j++) for (let c = 0; c < K; c++) qd[j * K + c] = dot(q, j * sub, codebook, (j * K + c) * sub, sub);
    const table = this.table;
    if (metric === "dot") for (let e = 0; e < m * K; e++) table[e] = 1 - qd[e]!;
    const order = probes.sorted().ids;
    for (let k = 0; k < order.length; k++) {
      const p = order[k]!;
      if (this.index.lengths[p] === 0) continue;
      const part = await this.index.partition(p);
      if (metric !== "dot") {
        const pd = this.partitionTable(p);
        const cn = this.codeNorms;
        for (let j = 0; j < m; j++) {
          const residualNorm = l2(q, j * sub, centroids, p * d + j * sub, sub);
          for (let c = 0, e = j * K; c < K; c++, e++) table[e] = residualNorm + cn[e]! - 2 * (qd[e]! - pd[e]!);
        }
      }
      this.scorePartition(part, metric === "dot" ? m - 1 : 0, heap, allowed(part));
    }
  }

  private scorePartition(part: IvfPartition, shift: number, heap: TopK, mask: Uint8Array | null): void {
    const { numSubVectors: m, transposed } = this.index;
    const { codes, rowIds } = part;
    const len = rowIds.length;
    if (this.scores.length < len) this.scores = new Float32Array(len);
    const scores = this.scores;
    const table = this.table;
    scores.fill(0, 0, len);
    if (transposed) {
      // Codes of sub-vector j for the partition's rows are contiguous: block[j * len + i].
      for (let j = 0; j < m; j++) {
        const row = j * len;
        const t = j * K;
        for (let i = 0; i < len; i++) scores[i] = scores[i]! + table[t + codes[row + i]!]!;
      }
    } else {
      for (let j = 0; j < m; j++) {
        const t = j * K;
        for (let i = 0; i < len; i++) scores[i] = scores[i]! + table[t + codes[i * m + j]!]!;
      }
    }
    for (let i = 0; i < len; i++) {
      if (mask !== null && mask[i] === 0) continue;
      // Lance's dot table sums m terms of (1 - dot); subtracting m - 1 gives 1 - dot.
      const distance = shift === 0 ? scores[i]! : Math.fround(scores[i]! - shift);
      if (distance <= heap.worst) heap.push(distance, rowIds[i]!);
    }
  }
}
