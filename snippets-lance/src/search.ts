/**
 * IVF + SQ8 search inside a Snippet budget: at most `maxFetches` subrequests per query (header if not
 * cached, then coalesced Range reads of the probed partitions), counted before they are made.
 */
import { crc32c, EvoDBError } from "@evodb/core";
import { coalesceRanges } from "./coalesce";
import { decodeHeader, partitionByteLength, type IndexHeader } from "./format";
import { fetchRequired, toFetcher, type IndexSource } from "./source";
import { sq8Distances } from "./sq8";
import { TopK } from "./top-k";

/** Limits one query respects; Cloudflare Snippets allow 5 subrequests per request. */
export interface SearchBudget {
  /** Subrequests in all, header included (default 5). */
  maxFetches?: number;
  /** Bytes read from storage in all (default unlimited). */
  maxBytes?: number;
}

/** Options of {@link search}. */
export interface SearchOptions {
  /** Index name: the header is `<index>/header`, the data object `<index>/data-<crc>`. */
  index: string;
  /** Results wanted (default 10). */
  k?: number;
  /** Partitions probed (default 8, at most the partition count). */
  nprobes?: number;
  budget?: SearchBudget;
  /** Decoded headers by index name; a Snippet keeps one in module scope so later queries skip the header fetch. */
  headerCache?: Map<string, IndexHeader>;
  /** Re-rank with the stored float32 vectors when the index has them (default true). */
  refine?: boolean;
  /** Candidates re-ranked per result (default 4). */
  refineFactor?: number;
  /** Ranges closer than this always merge into one read (default 16 KiB). */
  maxGapBytes?: number;
}

/** Top-k rows by ascending distance, with what the query cost. */
export interface SearchResult {
  rowIds: Float64Array;
  /** Squared l2, or 1 - cosine similarity. Approximate (SQ8) unless re-ranked. */
  distances: Float64Array;
  fetches: number;
  bytesRead: number;
  partitionsProbed: number;
}

function overBudget(which: string, needed: number, limit: number, hint: string): EvoDBError {
  return new EvoDBError("LIMIT_EXCEEDED", `snippets-lance: query needs ${needed} ${which} but the budget allows ${limit}; ${hint}`, {
    details: { budget: which, needed, limit },
  });
}

function invalid(message: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", `snippets-lance search: ${message}`);
}

/** The `nprobes` partitions whose centroids are nearest the (prepared) query, in partition order. */
function probedPartitions(header: IndexHeader, query: Float32Array, nprobes: number): number[] {
  const { dim, centroids } = header;
  const heap = new TopK(nprobes);
  for (let p = 0; p < header.partitionCount; p++) {
    let d = 0;
    for (let j = 0; j < dim; j++) {
      const diff = query[j]! - centroids[p * dim + j]!;
      d += diff * diff;
    }
    if (d < heap.threshold) heap.push(d, p);
  }
  return Array.from(heap.sorted().payloads).sort((a, b) => a - b);
}

function prepareQuery(header: IndexHeader, query: ArrayLike<number>): Float32Array {
  if (query.length !== header.dim) throw invalid(`query has ${query.length} values, the index has dimension ${header.dim}`);
  const q = Float32Array.from(query);
  let norm = 0;
  for (let j = 0; j < q.length; j++) {
    if (!Number.isFinite(q[j]!)) throw invalid(`query[${j}] is not finite`);
    norm += q[j]! * q[j]!;
  }
  if (header.metric === "cosine" && norm > 0) for (let j = 0; j < q.length; j++) q[j] = q[j]! / Math.sqrt(norm);
  return q;
}

/**
 * Finds the `k` nearest rows to `query`. Throws LIMIT_EXCEEDED before making a subrequest the
 * budget does not allow, CORRUPT_BLOCK on bytes that fail validation, NOT_FOUND for a missing index.
 */
export async function search(source: IndexSource, query: ArrayLike<number>, options: SearchOptions): Promise<SearchResult> {
  const k = options.k ?? 10;
  const maxFetches = options.budget?.maxFetches ?? 5;
  const maxBytes = options.budget?.maxBytes ?? Infinity;
  if (!Number.isInteger(k) || k < 1) throw invalid(`k ${k} must be a positive integer`);
  const fetcher = toFetcher(source);
  let fetches = 0;
  let bytesRead = 0;

  let header = options.headerCache?.get(options.index);
  if (header === undefined) {
    // The header and at least one partition read: refuse now rather than after a wasted fetch.
    if (maxFetches < 2) throw overBudget("fetches", 2, maxFetches, "an uncached header costs one fetch; cache it (headerCache) or raise maxFetches");
    const bytes = await fetchRequired(fetcher, `${options.index}/header`);
    fetches++;
    bytesRead += bytes.length;
    if (bytesRead > maxBytes) throw overBudget("bytes", bytesRead, maxBytes, "the header alone exceeds maxBytes; use fewer partitions or raise maxBytes");
    header = decodeHeader(bytes);
    options.headerCache?.set(options.index, header);
  }

  const q = prepareQuery(header, query);
  const nprobes = Math.min(options.nprobes ?? 8, header.partitionCount);
  if (!Number.isInteger(nprobes) || nprobes < 1) throw invalid(`nprobes ${options.nprobes} must be a positive integer`);
  const probed = probedPartitions(header, q, nprobes).filter((p) => header.partitionRows[p]! > 0);
  const offsets = header.partitionOffsets;
  const reads = coalesceRanges(
    probed.map((p) => offsets[p]!),
    probed.map((p) => offsets[p]! + partitionByteLength(header.partitionRows[p]!, header.dim, header.rowIdWidth, header.hasRefine)),
    maxFetches - fetches,
    options.maxGapBytes ?? 16_384,
  );
  if (fetches + reads.length > maxFetches) throw overBudget("fetches", fetches + reads.length, maxFetches, "raise maxFetches or cache the header");
  const planned = reads.reduce((sum, r) => sum + r.length, bytesRead);
  if (planned > maxBytes) throw overBudget("bytes", planned, maxBytes, "lower nprobes or raise maxBytes");

  const dataKey = `${options.index}/${header.dataKey}`;
  const buffers = await Promise.all(reads.map((r) => fetchRequired(fetcher, dataKey, r)));
  fetches += reads.length;
  for (let i = 0; i < reads.length; i++) {
    if (buffers[i]!.length !== reads[i]!.length) {
      throw new EvoDBError("CORRUPT_BLOCK", `snippets-lance: ${dataKey} returned ${buffers[i]!.length} bytes for a ${reads[i]!.length}-byte range; the data object does not match its header, rebuild the index`);
    }
    bytesRead += buffers[i]!.length;
  }
  return scorePartitions(header, q, probed, reads, buffers, k, options, fetches, bytesRead);
}

function scorePartitions(
  header: IndexHeader,
  q: Float32Array,
  probed: number[],
  reads: { offset: number; length: number }[],
  buffers: Uint8Array[],
  k: number,
  options: SearchOptions,
  fetches: number,
  bytesRead: number,
): SearchResult {
  const { dim, rowIdWidth, hasRefine } = header;
  const refine = hasRefine && (options.refine ?? true);
  const heap = new TopK(refine ? k * (options.refineFactor ?? 4) : k);
  const offset = new Float32Array(dim);
  for (let j = 0; j < dim; j++) offset[j] = header.sqMin[j]! - q[j]!;
  let maxRows = 0;
  for (const p of probed) maxRows = Math.max(maxRows, header.partitionRows[p]!);
  const scratch = new Float32Array(maxRows);
  const bufferOf = new Int32Array(probed.length);
  const startOf = new Float64Array(probed.length);
  let readIndex = 0;
  for (let i = 0; i < probed.length; i++) {
    const p = probed[i]!;
    const rows = header.partitionRows[p]!;
    while (header.partitionOffsets[p]! >= reads[readIndex]!.offset + reads[readIndex]!.length) readIndex++;
    const bytes = buffers[readIndex]!;
    const start = header.partitionOffsets[p]! - reads[readIndex]!.offset;
    const length = partitionByteLength(rows, dim, rowIdWidth, hasRefine);
    if (crc32c(bytes, start, start + length) !== header.partitionCrcs[p]) {
      throw new EvoDBError("CORRUPT_BLOCK", `snippets-lance: partition ${p} of ${options.index} fails its CRC-32C; the data object is corrupt or stale, rebuild the index`);
    }
    bufferOf[i] = readIndex;
    startOf[i] = start;
    const codesAt = start + rows * (rowIdWidth + (hasRefine ? 4 * dim : 0));
    sq8Distances(bytes, codesAt, rows, dim, header.sqStep, offset, scratch);
    // Payload = probe slot * 2^32 + row: exact in a double since slots < 2^16.
    for (let r = 0; r < rows; r++) if (scratch[r]! < heap.threshold) heap.push(scratch[r]!, i * 4294967296 + r);
  }
  const candidates = heap.sorted();
  const views = buffers.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
  const locate = (payload: number): { view: DataView; start: number; rows: number; row: number } => {
    const slot = Math.floor(payload / 4294967296);
    return { view: views[bufferOf[slot]!]!, start: startOf[slot]!, rows: header.partitionRows[probed[slot]!]!, row: payload % 4294967296 };
  };
  let finalDistances = candidates.distances;
  let finalPayloads = candidates.payloads;
  if (refine) {
    const exact = new TopK(k);
    for (let c = 0; c < candidates.payloads.length; c++) {
      const { view, start, rows, row } = locate(candidates.payloads[c]!);
      const at = start + rows * rowIdWidth + row * 4 * dim;
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
      exact.push(d, candidates.payloads[c]!);
    }
    ({ distances: finalDistances, payloads: finalPayloads } = exact.sorted());
  }
  const count = Math.min(k, finalPayloads.length);
  const rowIds = new Float64Array(count);
  const distances = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    const { view, start, row } = locate(finalPayloads[c]!);
    rowIds[c] = rowIdWidth === 4 ? view.getUint32(start + row * 4, true) : view.getFloat64(start + row * 8, true);
    // SQ8 scores a cosine index by l2 over unit vectors, and 1 - cos = |q - v|^2 / 2 for those.
    distances[c] = header.metric === "cosine" && !refine ? finalDistances[c]! / 2 : finalDistances[c]!;
  }
  return { rowIds, distances, fetches, bytesRead, partitionsProbed: probed.length };
}
