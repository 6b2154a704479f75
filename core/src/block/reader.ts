/**
 * Reading `.evodb` blocks held in memory: whole-block decode with projection, single-chunk and
 * single-filter decode for range readers, bloom probes and JSON-friendly statistics
 * (docs/format.md, "Reading").
 */
import type { ShreddedBatch, ShreddedColumn } from "../column";
import { EvoDBError } from "../errors";
import { crc32c } from "../checksum";
import { corrupt } from "../encoding/bytes";
import { inflateExactly } from "../encoding/compress";
import { bloomTest, type BloomFilter } from "./bloom";
import { decodeChunk, type DecodedColumn } from "./chunk";
import { checkHeader, parseBlockFooter, type BlockFooter } from "./footer";
import type { ColumnStats } from "./stats";

/** Options of {@link readBlock}. */
export interface ReadBlockOptions {
  /**
   * Only decode these paths: each selects its own column, its descendants (needed to rebuild an
   * object) and its ancestors (needed to know where it is missing). Default: every column.
   */
  paths?: readonly (readonly string[])[];
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

/** Indexes of the footer columns a projection needs, in footer order. */
export function selectColumns(footer: BlockFooter, paths?: readonly (readonly string[])[]): number[] {
  const out: number[] = [];
  footer.columns.forEach((c, i) => {
    if (!paths || paths.some((p) => isPrefix(c.path, p) || isPrefix(p, c.path))) out.push(i);
  });
  return out;
}

function checkColumnIndex(footer: BlockFooter, columnIndex: number): void {
  if (!Number.isInteger(columnIndex) || columnIndex < 0 || columnIndex >= footer.columns.length) {
    throw new EvoDBError("INVALID_ARGUMENT", `column index ${columnIndex} is outside 0..${footer.columns.length - 1}`);
  }
}

/** Options of {@link decodeColumnChunk}. */
export interface DecodeColumnOptions {
  /**
   * Keep a dictionary-encoded string column as dictionary + codes ({@link DecodedColumn}); its
   * `values` are then built on first read only.
   */
  keepStringCodes?: boolean;
}

/**
 * Decodes one column from its stored chunk bytes (exactly `footer.columns[i].chunk.length` bytes,
 * e.g. from a range read). Verifies the chunk checksum before anything else.
 */
export function decodeColumnChunk(footer: BlockFooter, columnIndex: number, chunkBytes: Uint8Array, options: DecodeColumnOptions = {}): DecodedColumn {
  checkColumnIndex(footer, columnIndex);
  const c = footer.columns[columnIndex]!;
  if (chunkBytes.length !== c.chunk.length) corrupt(`chunk of column ${columnIndex} is ${chunkBytes.length} bytes, the footer says ${c.chunk.length}`);
  if (crc32c(chunkBytes) !== c.chunk.crc32c) corrupt(`checksum mismatch in the chunk of column ${JSON.stringify(c.path)}`);
  const payload = c.chunk.compression === "deflate" ? inflateExactly(chunkBytes, c.chunk.rawLength) : chunkBytes;
  return decodeChunk(payload, c.path, c.type, footer.rowCount, {
    ...c.encodings,
    hasOverflow: c.hasOverflow,
    valueCount: c.stats.valueCount,
    variantCount: c.stats.variantCount,
    objectCount: c.stats.objectCount,
    keepStringCodes: options.keepStringCodes === true,
  });
}

/** Decodes a whole block held in memory (or only the columns `options.paths` needs). */
export function readBlock(bytes: Uint8Array, options: ReadBlockOptions = {}): ShreddedBatch {
  checkHeader(bytes);
  const footer = parseBlockFooter(bytes, bytes.length);
  const columns = selectColumns(footer, options.paths).map((i) => {
    const { offset, length } = footer.columns[i]!.chunk;
    return decodeColumnChunk(footer, i, bytes.subarray(offset, offset + length));
  });
  return { rowCount: footer.rowCount, columns };
}

/**
 * Checks and returns one column's bloom filter from its stored bytes (exactly
 * `footer.columns[i].bloom.length` bytes, e.g. from a range read). INVALID_ARGUMENT when the column
 * has no filter; CORRUPT_BLOCK when the bytes do not match the footer's length or checksum.
 */
export function decodeBloomFilter(footer: BlockFooter, columnIndex: number, bloomBytes: Uint8Array): BloomFilter {
  checkColumnIndex(footer, columnIndex);
  const location = footer.columns[columnIndex]!.bloom;
  if (location === null) throw new EvoDBError("INVALID_ARGUMENT", `column ${JSON.stringify(footer.columns[columnIndex]!.path)} has no bloom filter; check footer.columns[i].bloom first`);
  if (bloomBytes.length !== location.length) corrupt(`bloom filter of column ${columnIndex} is ${bloomBytes.length} bytes, the footer says ${location.length}`);
  if (crc32c(bloomBytes) !== location.crc32c) corrupt(`checksum mismatch in the bloom filter of column ${JSON.stringify(footer.columns[columnIndex]!.path)}`);
  return { bits: bloomBytes, hashCount: location.hashCount };
}

/** The bloom filter of one column of a block held in memory, or null when the column has none. */
export function readBlockBloomFilter(bytes: Uint8Array, footer: BlockFooter, columnIndex: number): BloomFilter | null {
  checkColumnIndex(footer, columnIndex);
  const location = footer.columns[columnIndex]!.bloom;
  if (location === null) return null;
  if (bytes.length !== footer.blockSize) throw new EvoDBError("INVALID_ARGUMENT", `pass the whole block (${footer.blockSize} bytes), got ${bytes.length}`);
  return decodeBloomFilter(footer, columnIndex, bytes.subarray(location.offset, location.offset + location.length));
}

/**
 * False when no Value entry of the column equals `value` (certainly absent among typed values);
 * true when it may be present. `filter` is the column's filter ({@link decodeBloomFilter}); without
 * it (not fetched, or none written) the bits cannot be consulted. Variant rows are not in the
 * filter: a value of another type than the column's is reported possible iff the column has
 * Variant rows, or has no filter (which a writer also omits for other reasons).
 */
export function bloomMightContain(footer: BlockFooter, columnIndex: number, value: number | string, filter?: BloomFilter | null): boolean {
  checkColumnIndex(footer, columnIndex);
  const c = footer.columns[columnIndex]!;
  const matchesType = c.type === "string" ? typeof value === "string" : c.type === "int" ? Number.isSafeInteger(value) : false;
  if (!matchesType) return c.stats.variantCount > 0 || c.bloom === null;
  return c.bloom === null || filter === undefined || filter === null || bloomTest(filter, value);
}

/** JSON-friendly statistics of one column (what snapshot files and zone maps store). */
export interface ColumnStatsSummary extends ColumnStats {
  readonly path: readonly string[];
  readonly type: ShreddedColumn["type"];
  readonly hasBloomFilter: boolean;
}

/** The statistics of every column, as plain JSON-serialisable objects. */
export function columnStats(footer: BlockFooter): ColumnStatsSummary[] {
  return footer.columns.map((c) => ({ path: [...c.path], type: c.type, hasBloomFilter: c.bloom !== null, ...c.stats }));
}
