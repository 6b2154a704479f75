/**
 * The I/O-free first half of a query: check and prepare the query vector, pick the `nprobes`
 * nearest partitions and coalesce their byte ranges into Range reads. `search` runs it between the
 * header fetch and the data fetches; it is exported so a caller with its own I/O (or a benchmark
 * timing the CPU of a query) can run it alone.
 */
import { EvoDBError } from "@evodb/core";
import { coalesceRanges, type CoalescedRead } from "./coalesce";
import { partitionByteLength, type IndexHeader } from "./format";
import { TopK } from "./top-k";

/** Options of {@link planSearch}. */
export interface PlanOptions {
  /** Partitions probed (default 8, at most the partition count). */
  nprobes?: number;
  /** Range reads the plan may use (the fetches left in the budget); default 4. */
  maxReads?: number;
  /** Ranges closer than this always merge into one read (default 16 KiB). */
  maxGapBytes?: number;
}

/** What one query reads: its prepared vector, the probed partitions and the coalesced reads. */
export interface SearchPlan {
  /** The query as float32, unit length for a cosine index. */
  query: Float32Array;
  /** Probed, non-empty partitions in ascending order (= data object order). */
  probed: number[];
  /** Indexes into `probed`, nearest centroid first: the order partitions are scored in. */
  scanOrder: number[];
  /** Range reads of the data object covering every probed partition, ascending, disjoint. */
  reads: CoalescedRead[];
  /** Bytes the reads cover. */
  bytes: number;
}

function invalid(message: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", `snippets-lance search: ${message}`);
}

/** The query checked (length, finite values) as float32, normalised for a cosine index. */
export function prepareQuery(header: IndexHeader, query: ArrayLike<number>): Float32Array {
  if (query.length !== header.dim) throw invalid(`query has ${query.length} values, the index has dimension ${header.dim}`);
  const q = Float32Array.from(query);
  let norm = 0;
  for (let j = 0; j < q.length; j++) {
    if (!Number.isFinite(q[j]!)) throw invalid(`query[${j}] is not finite`);
    norm += q[j]! * q[j]!;
  }
  if (header.metric === "cosine" && norm > 0) {
    const length = Math.sqrt(norm);
    for (let j = 0; j < q.length; j++) q[j] = q[j]! / length;
  }
  return q;
}

/** The `nprobes` partitions whose centroids are nearest the (prepared) query, nearest first. */
export function probedPartitions(header: IndexHeader, query: Float32Array, nprobes: number): number[] {
  const { dim, centroids } = header;
  const heap = new TopK(nprobes);
  for (let p = 0; p < header.partitionCount; p++) {
    const base = p * dim;
    let d = 0;
    for (let j = 0; j < dim; j++) {
      const diff = query[j]! - centroids[base + j]!;
      d += diff * diff;
    }
    if (d < heap.threshold) heap.push(d, p);
  }
  return Array.from(heap.sorted().payloads);
}

/** Plans one query against a decoded header; no I/O. Throws INVALID_ARGUMENT on a bad query or nprobes. */
export function planSearch(header: IndexHeader, query: ArrayLike<number>, options: PlanOptions = {}): SearchPlan {
  const q = prepareQuery(header, query);
  const nprobes = Math.min(options.nprobes ?? 8, header.partitionCount);
  if (!Number.isInteger(nprobes) || nprobes < 1) throw invalid(`nprobes ${options.nprobes} must be a positive integer`);
  const nearestFirst = probedPartitions(header, q, nprobes).filter((p) => header.partitionRows[p]! > 0);
  const probed = nearestFirst.slice().sort((a, b) => a - b);
  // Scoring the nearest partition first makes the top-k bound tight early, so rows of farther
  // partitions are abandoned after a few dimensions (sq8Distance).
  const scanOrder = nearestFirst.map((p) => probed.indexOf(p));
  const offsets = header.partitionOffsets;
  const reads = coalesceRanges(
    probed.map((p) => offsets[p]!),
    probed.map((p) => offsets[p]! + partitionByteLength(header.partitionRows[p]!, header.dim, header.rowIdWidth, header.hasRefine)),
    options.maxReads ?? 4,
    options.maxGapBytes ?? 16_384,
  );
  return { query: q, probed, scanOrder, reads, bytes: reads.reduce((sum, r) => sum + r.length, 0) };
}
