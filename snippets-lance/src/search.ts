/**
 * IVF + SQ8 search inside a Snippet budget: at most `maxFetches` subrequests per query (header if not
 * cached, then coalesced Range reads of the probed partitions), counted before they are made.
 */
import { EvoDBError } from "@evodb/core";
import { decodeHeader, type IndexHeader } from "./format";
import { planSearch } from "./plan";
import { scoreSearch } from "./score";
import { fetchRequired, toFetcher, type IndexSource } from "./source";

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

  const plan = planSearch(header, query, { nprobes: options.nprobes, maxReads: maxFetches - fetches, maxGapBytes: options.maxGapBytes });
  const { reads } = plan;
  if (fetches + reads.length > maxFetches) throw overBudget("fetches", fetches + reads.length, maxFetches, "raise maxFetches or cache the header");
  if (bytesRead + plan.bytes > maxBytes) throw overBudget("bytes", bytesRead + plan.bytes, maxBytes, "lower nprobes or raise maxBytes");

  const dataKey = `${options.index}/${header.dataKey}`;
  const buffers = await Promise.all(reads.map((r) => fetchRequired(fetcher, dataKey, r)));
  fetches += reads.length;
  for (let i = 0; i < reads.length; i++) {
    if (buffers[i]!.length !== reads[i]!.length) {
      throw new EvoDBError("CORRUPT_BLOCK", `snippets-lance: ${dataKey} returned ${buffers[i]!.length} bytes for a ${reads[i]!.length}-byte range; the data object does not match its header, rebuild the index`);
    }
    bytesRead += buffers[i]!.length;
  }
  const { rowIds, distances } = scoreSearch(header, plan, buffers, { k, refine: options.refine, refineFactor: options.refineFactor, index: options.index });
  return { rowIds, distances, fetches, bytesRead, partitionsProbed: plan.probed.length };
}
