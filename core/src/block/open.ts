/**
 * openBlock: read a block from an {@link ObjectStore} with range requests only (docs/format.md,
 * "Reading"). One suffix read fetches trailer and footer (a second read only when the footer is
 * larger than the first suffix); `readColumns` then fetches just the chunks a projection needs,
 * merging chunks that lie close together into one request.
 */
import type { ShreddedBatch } from "../column";
import { EvoDBError } from "../errors";
import type { ObjectStore, StoredObjectBody } from "../object-store";
import { corrupt } from "../encoding/bytes";
import { BLOCK_TRAILER_SIZE, DEFAULT_FOOTER_READ_SIZE } from "./constants";
import { parseBlockFooter, readBlockTrailer, type BlockFooter } from "./footer";
import { columnStats, decodeColumnChunk, selectColumns, type ColumnStatsSummary } from "./reader";

/** Options of {@link openBlock}. */
export interface OpenBlockOptions {
  /** Bytes of the first suffix read (default 64 KiB). */
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
  /** JSON-friendly statistics per column. */
  columnStats(): ColumnStatsSummary[];
  /** Fetches and decodes the columns a projection needs (all columns without `paths`). */
  readColumns(paths?: readonly (readonly string[])[]): Promise<ShreddedBatch>;
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

  async function readColumns(paths?: readonly (readonly string[])[]): Promise<ShreddedBatch> {
    const wanted = selectColumns(footer, paths);
    const byOffset = [...wanted].sort((a, b) => footer.columns[a]!.chunk.offset - footer.columns[b]!.chunk.offset);
    const groups: { start: number; end: number; members: number[] }[] = [];
    for (const i of byOffset) {
      const { offset, length } = footer.columns[i]!.chunk;
      const last = groups[groups.length - 1];
      if (last && offset - last.end <= gap) {
        last.end = Math.max(last.end, offset + length);
        last.members.push(i);
      } else groups.push({ start: offset, end: offset + length, members: [i] });
    }
    const decoded = new Map<number, ShreddedBatch["columns"][number]>();
    await Promise.all(
      groups.map(async (g) => {
        const part = await getBytes(store, key, { offset: g.start, length: g.end - g.start });
        sameVersion(first, part, key);
        if (part.bytes.length !== g.end - g.start) corrupt(`short range read of ${key}`);
        for (const i of g.members) {
          const { offset, length } = footer.columns[i]!.chunk;
          decoded.set(i, decodeColumnChunk(footer, i, part.bytes.subarray(offset - g.start, offset - g.start + length)));
        }
      }),
    );
    return { rowCount: footer.rowCount, columns: wanted.map((i) => decoded.get(i)!) };
  }

  return { key, size, footer, columnStats: () => columnStats(footer), readColumns };
}
