/**
 * The I/O-free second half of a query: verify each probed partition's CRC-32C, score its SQ8 codes,
 * optionally re-rank the best candidates with the stored float32 vectors, and read the row ids.
 */
import { crc32c, EvoDBError } from "@evodb/core";
import { partitionByteLength, type IndexHeader } from "./format";
import type { SearchPlan } from "./plan";
import { sq8Distance } from "./sq8";
import { TopK } from "./top-k";

/** Options of {@link scoreSearch}. */
export interface ScoreOptions {
  /** Results wanted (default 10). */
  k?: number;
  /** Re-rank with the stored float32 vectors when the index has them (default true). */
  refine?: boolean;
  /** Candidates re-ranked per result (default 4). */
  refineFactor?: number;
  /** Index name, for error messages. */
  index?: string;
}

/** Top-k rows by ascending distance. */
export interface ScoredRows {
  rowIds: Float64Array;
  /** Squared l2, or 1 - cosine similarity. Approximate (SQ8) unless re-ranked. */
  distances: Float64Array;
}

/** Payload = probe slot * 2^32 + row: exact in a double since slots < 2^16 (MAX_PARTITIONS). */
const SLOT = 4294967296;

/**
 * Scores the partitions of `plan` from `buffers` (one per `plan.reads` entry, each exactly its
 * read's length). Throws CORRUPT_BLOCK when a partition fails its CRC-32C.
 */
export function scoreSearch(header: IndexHeader, plan: SearchPlan, buffers: readonly Uint8Array[], options: ScoreOptions = {}): ScoredRows {
  const { dim, rowIdWidth, hasRefine } = header;
  const { query: q, probed, reads } = plan;
  const k = options.k ?? 10;
  const refine = hasRefine && (options.refine ?? true);
  const heap = new TopK(refine ? k * (options.refineFactor ?? 4) : k);
  // Decoded difference per dimension = code * step + offset, with offset = min - q for vector codes
  // and min + centroid - q for residual codes (set per partition below).
  const residual = header.quantiser === "sq8-residual";
  const offset = new Float32Array(dim);
  for (let j = 0; j < dim; j++) offset[j] = header.sqMin[j]! - q[j]!;
  const bufferOf = new Int32Array(probed.length);
  const startOf = new Float64Array(probed.length);
  let readIndex = 0;
  for (let i = 0; i < probed.length; i++) {
    const p = probed[i]!;
    const rows = header.partitionRows[p]!;
    while (header.partitionOffsets[p]! >= reads[readIndex]!.offset + reads[readIndex]!.length) readIndex++;
    const start = header.partitionOffsets[p]! - reads[readIndex]!.offset;
    const length = partitionByteLength(rows, dim, rowIdWidth, hasRefine);
    if (crc32c(buffers[readIndex]!, start, start + length) !== header.partitionCrcs[p]) {
      throw new EvoDBError("CORRUPT_BLOCK", `snippets-lance: partition ${p} of ${options.index ?? "the index"} fails its CRC-32C; the data object is corrupt or stale, rebuild the index`);
    }
    bufferOf[i] = readIndex;
    startOf[i] = start;
  }
  for (const i of plan.scanOrder) {
    const p = probed[i]!;
    const rows = header.partitionRows[p]!;
    const bytes = buffers[bufferOf[i]!]!;
    if (residual) for (let j = 0, cb = p * dim; j < dim; j++) offset[j] = header.sqMin[j]! + header.centroids[cb + j]! - q[j]!;
    const codesAt = startOf[i]! + rows * (rowIdWidth + (hasRefine ? 4 * dim : 0));
    for (let r = 0; r < rows; r++) {
      const bound = heap.threshold;
      const d = sq8Distance(bytes, codesAt + r * dim, dim, header.sqStep, offset, bound);
      // Equal to the bound may still get in by payload (ties go to the earlier row).
      if (d <= bound) heap.push(d, i * SLOT + r);
    }
  }
  const candidates = heap.sorted();
  const views = buffers.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
  let finalDistances = candidates.distances;
  let finalPayloads = candidates.payloads;
  if (refine) {
    const exact = new TopK(k);
    for (let c = 0; c < candidates.payloads.length; c++) {
      const payload = candidates.payloads[c]!;
      const slot = Math.floor(payload / SLOT);
      const view = views[bufferOf[slot]!]!;
      const at = startOf[slot]! + header.partitionRows[probed[slot]!]! * rowIdWidth + (payload % SLOT) * 4 * dim;
      let d = 0;
      if (header.metric === "cosine") {
        // 1 - dot of unit vectors; a zero vector (stored as zeros) gets distance 1, i.e. similarity 0.
        d = 1;
        for (let j = 0; j < dim; j++) d -= view.getFloat32(at + 4 * j, true) * q[j]!;
      } else {
        for (let j = 0; j < dim; j++) {
          const diff = view.getFloat32(at + 4 * j, true) - q[j]!;
          d += diff * diff;
        }
      }
      exact.push(d, payload);
    }
    ({ distances: finalDistances, payloads: finalPayloads } = exact.sorted());
  }
  const count = Math.min(k, finalPayloads.length);
  const rowIds = new Float64Array(count);
  const distances = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    const payload = finalPayloads[c]!;
    const slot = Math.floor(payload / SLOT);
    const view = views[bufferOf[slot]!]!;
    const at = startOf[slot]! + (payload % SLOT) * rowIdWidth;
    rowIds[c] = rowIdWidth === 4 ? view.getUint32(at, true) : view.getFloat64(at, true);
    // SQ8 scores a cosine index by l2 over unit vectors, and 1 - cos = |q - v|^2 / 2 for those.
    distances[c] = header.metric === "cosine" && !refine ? finalDistances[c]! / 2 : finalDistances[c]!;
  }
  return { rowIds, distances };
}
