/**
 * openBlock: read a block from an {@link ObjectStore} with range requests only (docs/format.md,
 * "Reading"). One suffix read fetches trailer and footer (a second read only when the footer is
 * larger than the first suffix); `readColumns` and `readBloomFilters` then fetch just the chunks
 * or filters asked for, merging ranges that lie close together into one request and taking bytes
 * the suffix read already holds from it.
 */
import type { ShreddedBatch } from "../column";
import { EvoDBError } from "../errors";
import type { ObjectStore, StoredObjectBody } from "../object-store";
import { corrupt } from "../encoding/bytes";
import { BLOCK_TRAILER_SIZE, DEFAULT_FOOTER_READ_SIZE } from "./constants";
import { parseBlockFooter, readBlockTrailer, type BlockFooter } from "./footer";
import type { BloomFilter } from "./bloom";
import { columnStats, decodeBloomFilter, decodeColumnChunk, selectColumns, type ColumnStatsSummary } from "./reader";

/** Options of {@link openBlock}. */
export interface OpenBlockOptions {
  /** Bytes of the first suffix read (default `DEFAULT_FOOTER_READ_SIZE`, 8 KiB). */
  footerReadSize?: number;
  /** Chunks separated by at most this many bytes are fetched in one request (default 4 KiB). */
  coalesceGap?: number;
}

/** A block opened for range reads. */
export interface OpenedBlock {
  readonly key: string;
  /** Size of the whole block. */
  readonly size: number;
  readonly footer: BlockFooter;
  /** The last bytes of the block, as fetched to read the footer (trailer, footer and what precedes them). */
  readonly suffix: Uint8Array;
  /** JSON-friendly statistics per column. */
  columnStats(): ColumnStatsSummary[];
  /** Fetches and decodes the columns a projection needs (all columns without `paths`). */
  readColumns(paths?: readonly (readonly string[])[]): Promise<ShreddedBatch>;
  /** Fetches the bloom filters of the given columns (null for a column without one), in the order given. */
  readBloomFilters(columnIndexes: readonly number[]): Promise<(BloomFilter | null)[]>;
}

async function getBytes(store: ObjectStore, key: string, range: { offset: number; length: number } | { suffix: number }): Promise<StoredObjectBody & { bytes: Uint8Array }> {
  const object = await store.get(key, { range });
  if (!object) throw new EvoDBError("NOT_FOUND", `block ${key} does not exist`, { details: { key } });
  return Object.assign(object, { bytes: new Uint8Array(await object.arrayBuffer()) });
}

function sameVersion(a: { etag: string }, b: { etag: string }, key: string): void {
  if (a.etag !== b.etag) {
    throw new EvoDBError("STORAGE_ERROR", `block ${key} changed while it was being read (blocks are immutable: a writer reused a key)`, { details: { key } });
  }
}

/** Opens a block stored under `key`: one suffix read, plus one more only for footers over `footerReadSize`. */
export async function openBlock(store: ObjectStore, key: string, options: OpenBlockOptions = {}): Promise<OpenedBlock> {
  const first = await getBytes(store, key, { suffix: options.footerReadSize ?? DEFAULT_FOOTER_READ_SIZE });
  const size = first.size;
  if (first.bytes.length > size) corrupt(`store returned ${first.bytes.length} bytes of a ${size}-byte object`);
  let tail = first.bytes;
  const trailer = readBlockTrailer(tail, size);
  const needed = trailer.footerLength + BLOCK_TRAILER_SIZE;
  if (tail.length < needed) {
    const missing = needed - tail.length;
    const rest = await getBytes(store, key, { offset: size - needed, length: missing });
    sameVersion(first, rest, key);
    if (rest.bytes.length !== missing) corrupt(`short read of the footer of ${key}`);
    const joined = new Uint8Array(needed);
    joined.set(rest.bytes, 0);
    joined.set(tail, missing);
    tail = joined;
  }
  const footer = parseBlockFooter(tail, size);
  const gap = options.coalesceGap ?? 4096;
  const suffix = tail;
  const suffixStart = size - suffix.length;

  /** The bytes of each range, fetched in coalesced requests; ranges inside the suffix cost nothing. */
  async function fetchRanges(ranges: readonly { offset: number; length: number }[]): Promise<Uint8Array[]> {
    const out = new Array<Uint8Array>(ranges.length);
    const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.offset - ranges[b]!.offset);
    const groups: { start: number; end: number; members: number[] }[] = [];
    for (const i of order) {
      const { offset, length } = ranges[i]!;
      if (offset >= suffixStart) {
        out[i] = suffix.subarray(offset - suffixStart, offset - suffixStart + length);
        continue;
      }
      const last = groups[groups.length - 1];
      if (last && offset - last.end <= gap) {
        last.end = Math.max(last.end, offset + length);
        last.members.push(i);
      } else groups.push({ start: offset, end: offset + length, members: [i] });
    }
    await Promise.all(
      groups.map(async (g) => {
        const part = await getBytes(store, key, { offset: g.start, length: g.end - g.start });
        sameVersion(first, part, key);
        if (part.bytes.length !== g.end - g.start) corrupt(`short range read of ${key}`);
        for (const i of g.members) {
          const { offset, length } = ranges[i]!;
          out[i] = part.bytes.subarray(offset - g.start, offset - g.start + length);
        }
      }),
    );
    return out;
  }

  async function readColumns(paths?: readonly (readonly string[])[]): Promise<ShreddedBatch> {
    const wanted = selectColumns(footer, paths);
    const bytes = await fetchRanges(wanted.map((i) => footer.columns[i]!.chunk));
    return { rowCount: footer.rowCount, columns: wanted.map((i, k) => decodeColumnChunk(footer, i, bytes[k]!)) };
  }

  async function readBloomFilters(columnIndexes: readonly number[]): Promise<(BloomFilter | null)[]> {
    const withFilter = columnIndexes.filter((i) => footer.columns[i]?.bloom != null);
    const bytes = await fetchRanges(withFilter.map((i) => footer.columns[i]!.bloom!));
    const byColumn = new Map(withFilter.map((i, k) => [i, bytes[k]!]));
    return columnIndexes.map((i) => {
      const filterBytes = byColumn.get(i);
      if (filterBytes === undefined) {
        if (footer.columns[i] === undefined) throw new EvoDBError("INVALID_ARGUMENT", `column index ${i} is outside 0..${footer.columns.length - 1}`);
        return null;
      }
      return decodeBloomFilter(footer, i, filterBytes);
    });
  }

  return { key, size, footer, suffix, columnStats: () => columnStats(footer), readColumns, readBloomFilters };
}
