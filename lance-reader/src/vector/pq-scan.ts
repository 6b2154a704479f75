/**
 * The IVF_PQ hot path: coarse partition selection and PQ scoring, partition at a time, on typed
 * arrays with no allocation per candidate.
 *
 * Lance scores a row of partition p as sum_j ||(q - p)_j - c_j||^2 (c_j: the row's codeword of
 * sub-vector j), building a 2^nbits-entry table per sub-vector for every probed partition. Expanded,
 * that sum is ||q - p||^2 - 2 sum_j <q_j, c_j> + sum_j (||c_j||^2 + 2 <p_j, c_j>):
 * - ||q - p||^2 is the coarse distance already computed to choose the partitions;
 * - <q_j, c> is one table per query, shared by every partition;
 * - the last sum does not depend on the query: it is computed once per row when its partition is
 *   first scored, then kept beside the codes (8 bytes per row).
 * A probe therefore costs m table look-ups and one add per row and no table building, where
 * Lance's form costs D * 2^nbits multiply-adds per probed partition. Sums are taken in float64 and
 * rounded to float32 at the end, so distances agree with Lance's float32 sums to float32 precision.
 * Dot indices score 1 - <q_j, c> per sub-vector, the same for every partition, summed in float32 in
 * sub-vector order as Lance does.
 */
import type { IvfPartition, IvfPqIndex, Metric } from "./ivf-pq";
import { dot, l2 } from "./kernels";
import type { TopK } from "./top-k";

/** Codewords per sub-vector (8-bit codes). */
const K = 256;

/** Per-index precomputation plus reusable buffers. */
export class PqScanner {
  /** ||c||^2 of every codeword, sub-vector-major. */
  private readonly codeNorms: Float64Array;
  /** The codebook dimension-major: dimension s of sub-vector j's codeword c at (j * sub + s) * K + c. */
  private readonly codebookByDimension: Float32Array;
  /** Per partition: sum_j (||c_j||^2 + 2 <p_j, c_j>) of each row (see the file comment). */
  private readonly rowTerms = new WeakMap<IvfPartition, Float64Array>();
  /** <p_j, c> for one partition while its row terms are computed. */
  private readonly partitionDots: Float64Array;
  /** Per-query table: -2 <q_j, c> (l2, cosine) or 1 - <q_j, c> (dot). */
  private readonly table: Float64Array;
  /** Coarse distance of the query to each centroid. */
  private readonly coarse: Float64Array;
  private readonly query: Float32Array;
  private scores = new Float64Array(0);

  constructor(readonly index: IvfPqIndex) {
    const { numSubVectors: m, dimension: d, numPartitions } = index;
    const sub = d / m;
    this.codeNorms = new Float64Array(m * K);
    for (let e = 0; e < m * K; e++) this.codeNorms[e] = dot(index.codebook, e * sub, index.codebook, e * sub, sub);
    this.codebookByDimension = new Float32Array(d * K);
    for (let j = 0; j < m; j++) {
      for (let c = 0; c < K; c++) for (let s = 0; s < sub; s++) this.codebookByDimension[(j * sub + s) * K + c] = index.codebook[(j * K + c) * sub + s]!;
    }
    this.partitionDots = new Float64Array(m * K);
    this.table = new Float64Array(m * K);
    this.coarse = new Float64Array(numPartitions);
    this.query = new Float32Array(d);
  }

  /**
   * Scores the `nprobes` nearest partitions into `heap`, loading each partition when first probed;
   * `allowed(partition)` gives the rows that may be returned (null: all). `probes` is a TopK of
   * capacity nprobes used to pick the partitions.
   */
  async search(query: Float32Array, metric: Metric, heap: TopK, probes: TopK, allowed: (part: IvfPartition) => Uint8Array | null): Promise<void> {
    const { numSubVectors: m, dimension: d, centroids, numPartitions } = this.index;
    const q = this.query;
    q.set(query);
    // Cosine indices hold normalised vectors trained with L2, so the query is normalised too.
    if (metric === "cosine") {
      const n = Math.sqrt(dot(q, 0, q, 0, d));
      if (n > 0) for (let i = 0; i < d; i++) q[i] = q[i]! / n;
    }
    const coarse = this.coarse;
    for (let p = 0; p < numPartitions; p++) {
      coarse[p] = metric === "dot" ? 1 - dot(q, 0, centroids, p * d, d) : l2(q, 0, centroids, p * d, d);
      probes.push(coarse[p]!, p);
    }
    const table = this.table;
    this.codewordDots(q, 0, table);
    // Lance's dot table holds float32 entries; the l2 terms stay float64 (see the file comment).
    if (metric === "dot") for (let e = 0; e < m * K; e++) table[e] = Math.fround(1 - table[e]!);
    else for (let e = 0; e < m * K; e++) table[e] = -2 * table[e]!;
    const order = probes.sorted().ids;
    for (let k = 0; k < order.length; k++) {
      const p = order[k]!;
      if (this.index.lengths[p] === 0) continue;
      const part = await this.index.partition(p);
      const mask = allowed(part);
      if (metric === "dot") this.scoreDot(part, heap, mask);
      else this.scoreL2(part, coarse[p]!, this.rowTermsOf(part, p), heap, mask);
    }
  }

  /**
   * out[j * K + c] = <v_j, c> for every sub-vector j and codeword c, where v = vector[offset, offset + D).
   * Walking the dimension-major codebook keeps the inner loop contiguous over the 256 codewords.
   */
  private codewordDots(vector: Float32Array, offset: number, out: Float64Array): void {
    const { numSubVectors: m, dimension: d } = this.index;
    const sub = d / m;
    const byDimension = this.codebookByDimension;
    out.fill(0);
    for (let j = 0; j < m; j++) {
      const e = j * K;
      const base = offset + j * sub;
      let s = 0;
      // Four dimensions per pass over the codewords, as in accumulate().
      for (; s + 4 <= sub; s += 4) {
        const x0 = vector[base + s]!, x1 = vector[base + s + 1]!, x2 = vector[base + s + 2]!, x3 = vector[base + s + 3]!;
        const r0 = (j * sub + s) * K, r1 = r0 + K, r2 = r1 + K, r3 = r2 + K;
        for (let c = 0; c < K; c++) out[e + c] = out[e + c]! + (x0 * byDimension[r0 + c]! + x1 * byDimension[r1 + c]!) + (x2 * byDimension[r2 + c]! + x3 * byDimension[r3 + c]!);
      }
      for (; s < sub; s++) {
        const x = vector[base + s]!;
        const row = (j * sub + s) * K;
        for (let c = 0; c < K; c++) out[e + c] = out[e + c]! + x * byDimension[row + c]!;
      }
    }
  }

  /** The query-independent part of each row's distance in partition p (computed once). */
  private rowTermsOf(part: IvfPartition, p: number): Float64Array {
    let terms = this.rowTerms.get(part);
    if (terms) return terms;
    const { numSubVectors: m, dimension: d } = this.index;
    const pd = this.partitionDots;
    const norms = this.codeNorms;
    this.codewordDots(this.index.centroids, p * d, pd);
    for (let e = 0; e < m * K; e++) pd[e] = norms[e]! + 2 * pd[e]!;
    terms = new Float64Array(part.rowIds.length);
    this.accumulate(part, pd, terms);
    this.rowTerms.set(part, terms);
    return terms;
  }

  private scoresFor(len: number): Float64Array {
    if (this.scores.length < len) this.scores = new Float64Array(len);
    return this.scores;
  }

  /** Adds table[j * K + code of row i for sub-vector j] over the sub-vectors j to scores[i]. */
  private accumulate(part: IvfPartition, table: Float64Array, scores: Float64Array): void {
    const { numSubVectors: m, transposed } = this.index;
    const { codes } = part;
    const len = part.rowIds.length;
    let j = 0;
    if (transposed) {
      // The codes of sub-vector j for the partition's rows are contiguous (j * len + i). Four
      // sub-vectors per pass over the rows load and store each score a quarter as often, which
      // measured about twice as fast as one sub-vector per pass (V8 does not unroll this itself).
      for (; j + 4 <= m; j += 4) {
        const t0 = j * K, t1 = t0 + K, t2 = t1 + K, t3 = t2 + K;
        const a0 = j * len, a1 = a0 + len, a2 = a1 + len, a3 = a2 + len;
        for (let i = 0; i < len; i++) {
          scores[i] = scores[i]! + (table[t0 + codes[a0 + i]!]! + table[t1 + codes[a1 + i]!]!) + (table[t2 + codes[a2 + i]!]! + table[t3 + codes[a3 + i]!]!);
        }
      }
      for (; j < m; j++) {
        const t = j * K;
        for (let i = 0, at = j * len; i < len; i++, at++) scores[i] = scores[i]! + table[t + codes[at]!]!;
      }
      return;
    }
    for (; j < m; j++) {
      const t = j * K;
      for (let i = 0, at = j; i < len; i++, at += m) scores[i] = scores[i]! + table[t + codes[at]!]!;
    }
  }

  private scoreL2(part: IvfPartition, coarse: number, terms: Float64Array, heap: TopK, mask: Uint8Array | null): void {
    const len = part.rowIds.length;
    const scores = this.scoresFor(len);
    scores.set(terms);
    this.accumulate(part, this.table, scores);
    const rowIds = part.rowIds;
    let worst = heap.worst;
    for (let i = 0; i < len; i++) {
      if (mask !== null && mask[i] === 0) continue;
      // Rounding can take a near-zero distance slightly below zero; Lance's sum of squares cannot.
      const distance = Math.fround(Math.max(0, coarse + scores[i]!));
      if (distance <= worst) {
        heap.push(distance, rowIds[i]!);
        worst = heap.worst;
      }
    }
  }

  private scoreDot(part: IvfPartition, heap: TopK, mask: Uint8Array | null): void {
    const { numSubVectors: m, transposed } = this.index;
    const { codes, rowIds } = part;
    const len = rowIds.length;
    const scores = this.scoresFor(len);
    const table = this.table;
    scores.fill(0, 0, len);
    // Float32 running sums in sub-vector order, as Lance adds its float32 table entries.
    for (let j = 0; j < m; j++) {
      const t = j * K;
      if (transposed) for (let i = 0, at = j * len; i < len; i++, at++) scores[i] = Math.fround(scores[i]! + table[t + codes[at]!]!);
      else for (let i = 0, at = j; i < len; i++, at += m) scores[i] = Math.fround(scores[i]! + table[t + codes[at]!]!);
    }
    // Lance's dot table sums m terms of (1 - dot); subtracting m - 1 gives 1 - dot.
    const shift = m - 1;
    for (let i = 0; i < len; i++) {
      if (mask !== null && mask[i] === 0) continue;
      const distance = Math.fround(scores[i]! - shift);
      if (distance <= heap.worst) heap.push(distance, rowIds[i]!);
    }
  }
}
