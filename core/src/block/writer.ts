/**
 * writeBlock: a {@link ShreddedBatch} to the bytes of one `.evodb` block (docs/format.md).
 * Layout: header, one chunk per column at 8-byte aligned offsets (each optionally deflated and
 * CRC-32C checked), one region per bloom filter (8-byte aligned, CRC-32C checked), footer, trailer.
 */
import type { ShreddedBatch } from "../column";
import { EvoDBError } from "../errors";
import { crc32c } from "../checksum";
import { deflateIfSmaller } from "../encoding/compress";
import { distinctStrings } from "../encoding/string";
import { bloomShape, buildBloom, type BloomFilter } from "./bloom";
import { compactValues, encodeChunk } from "./chunk";
import { BLOCK_FORMAT_VERSION, BLOCK_HEADER_SIZE, BLOCK_MAGIC, BLOCK_TRAILER_SIZE, CHUNK_ALIGNMENT, MAX_BLOCK_COLUMNS, MAX_BLOCK_ROWS, MAX_CHUNK_BYTES } from "./constants";
import { writeFooter, writeTrailer, type BlockColumn, type BloomLocation } from "./footer";
import { computeStats, countTags, estimateDistinct, hashStrings } from "./stats";

/** Options of {@link writeBlock}; the defaults suit most tables. */
export interface WriteBlockOptions {
  /** `"auto"` (default) deflates a chunk when that saves at least `minCompressionGain`; `"none"` never does. */
  compression?: "auto" | "none";
  /** DEFLATE level 1..9 (default 6). */
  compressionLevel?: number;
  /** Smallest saving (fraction of the chunk) that makes compression worth its decode cost (default 0.1). */
  minCompressionGain?: number;
  /** Bloom filters for int and string columns: true (default), false, or a per-path choice. */
  bloomFilter?: boolean | ((path: readonly string[]) => boolean);
  /** Target false-positive rate of bloom filters (default 0.01). */
  bloomFalsePositiveRate?: number;
  /** A column whose filter would exceed this many bytes gets none (default 1 MiB). */
  maxBloomBytes?: number;
}

function invalid(message: string): never {
  throw new EvoDBError("INVALID_ARGUMENT", message);
}

function validateBatch(batch: ShreddedBatch): void {
  const { rowCount, columns } = batch;
  if (!Number.isSafeInteger(rowCount) || rowCount < 0) invalid(`rowCount ${rowCount} is not a non-negative integer`);
  if (rowCount > MAX_BLOCK_ROWS) {
    throw new EvoDBError("LIMIT_EXCEEDED", `a block holds at most ${MAX_BLOCK_ROWS} rows, got ${rowCount}; split the batch`);
  }
  if (columns.length > MAX_BLOCK_COLUMNS) {
    throw new EvoDBError("LIMIT_EXCEEDED", `a block holds at most ${MAX_BLOCK_COLUMNS} columns, got ${columns.length}`);
  }
  const seen = new Set<string>();
  for (const column of columns) {
    const key = JSON.stringify(column.path);
    if (seen.has(key)) invalid(`column path ${key} appears twice`);
    seen.add(key);
    if (column.tags.length !== rowCount) invalid(`column ${key} has ${column.tags.length} tags for ${rowCount} rows`);
    for (let i = 0; i < rowCount; i++) if (column.tags[i]! > 4) invalid(`column ${key} has tag ${column.tags[i]} at row ${i}`);
    if (column.type !== "none" && column.values.length !== rowCount) invalid(`column ${key} has ${column.values.length} values for ${rowCount} rows`);
  }
}

/** Encodes a batch as one `.evodb` block (format version 2). Throws INVALID_ARGUMENT for a batch that breaks the column contract. */
export function writeBlock(batch: ShreddedBatch, options: WriteBlockOptions = {}): Uint8Array {
  validateBatch(batch);
  const compress = (options.compression ?? "auto") === "auto";
  const level = options.compressionLevel ?? 6;
  const minGain = options.minCompressionGain ?? 0.1;
  const fpp = options.bloomFalsePositiveRate ?? 0.01;
  if (!(fpp > 0 && fpp < 1)) invalid(`bloomFalsePositiveRate ${fpp} must be between 0 and 1`);
  const maxBloomBytes = options.maxBloomBytes ?? 1 << 20;
  const wantBloom = options.bloomFilter ?? true;

  // Chunks are encoded first and copied once into an exactly sized block.
  const stored: Uint8Array[] = [];
  const blooms: (BloomFilter | null)[] = [];
  const directory: (Omit<BlockColumn, "bloom"> & { bloom: BloomLocation | null })[] = [];
  let offset = BLOCK_HEADER_SIZE;
  for (const column of batch.columns) {
    const tagCounts = countTags(column.tags);
    const compact = compactValues(column, tagCounts[2]);
    // Strings: a HyperLogLog estimate over the first hashes decides whether a dictionary can pay;
    // only then is the exact distinct set built, and it serves the dictionary, the statistics and
    // the bloom filter. Columns of ids skip the map entirely.
    let distinct: Map<string, number> | null = null;
    let stringHash1: Uint32Array | null = null;
    if (Array.isArray(compact) && compact.length >= 2) {
      stringHash1 = hashStrings(compact, compact.length);
      if (estimateDistinct(stringHash1, compact.length) <= compact.length * 0.55) distinct = distinctStrings(compact, 0, compact.length);
    }
    const { payload, encodings, hasOverflow } = encodeChunk(column, compact, tagCounts[4], distinct);
    const { stats, hash1, hash2 } = computeStats(column.type, tagCounts, compact, tagCounts[2], distinct, stringHash1);
    let bloom: BloomFilter | null = null;
    const bloomable = column.type === "int" || column.type === "string";
    if (bloomable && stats.valueCount > 0 && (typeof wantBloom === "function" ? wantBloom(column.path) : wantBloom)) {
      const shape = bloomShape(stats.distinctCount, fpp);
      if (shape.bytes <= maxBloomBytes) bloom = buildBloom(hash1, hash2, hash1.length, shape.bytes, shape.hashCount);
    }
    if (payload.length > MAX_CHUNK_BYTES) {
      throw new EvoDBError("LIMIT_EXCEEDED", `column ${JSON.stringify(column.path)} encodes to ${payload.length} bytes, above the ${MAX_CHUNK_BYTES}-byte chunk limit; write fewer rows per block`);
    }
    const packed = compress ? deflateIfSmaller(payload, level, minGain) : null;
    const chunk = packed ?? payload;
    offset = alignUp(offset, CHUNK_ALIGNMENT);
    stored.push(chunk);
    blooms.push(bloom);
    directory.push({
      path: column.path,
      type: column.type,
      encodings,
      hasOverflow,
      chunk: { offset, length: chunk.length, rawLength: payload.length, compression: packed ? "deflate" : "none", crc32c: crc32c(chunk) },
      stats,
      bloom: null,
    });
    offset += chunk.length;
  }
  // Filters follow the chunks, each in its own region, so a reader range-reads only the filters of
  // the columns it probes (docs/format.md, "Block layout"). Smallest first: the largest filter
  // (the highest-cardinality column, usually the key a point lookup probes) ends next to the footer,
  // where a slightly longer footer read takes it without a second request.
  const bloomOrder = blooms.map((_, i) => i).filter((i) => blooms[i] !== null);
  bloomOrder.sort((a, b) => blooms[a]!.bits.length - blooms[b]!.bits.length || a - b);
  for (const i of bloomOrder) {
    const bloom = blooms[i]!;
    offset = alignUp(offset, CHUNK_ALIGNMENT);
    directory[i]!.bloom = { offset, length: bloom.bits.length, hashCount: bloom.hashCount, crc32c: crc32c(bloom.bits) };
    offset += bloom.bits.length;
  }
  const footerOffset = alignUp(offset, CHUNK_ALIGNMENT);
  const footer = writeFooter(batch.rowCount, directory);
  const block = new Uint8Array(footerOffset + footer.length + BLOCK_TRAILER_SIZE);
  block.set(BLOCK_MAGIC, 0);
  block[4] = BLOCK_FORMAT_VERSION & 0xff;
  block[5] = BLOCK_FORMAT_VERSION >>> 8;
  stored.forEach((chunk, i) => block.set(chunk, directory[i]!.chunk.offset));
  blooms.forEach((bloom, i) => {
    if (bloom !== null) block.set(bloom.bits, directory[i]!.bloom!.offset);
  });
  block.set(footer, footerOffset);
  block.set(writeTrailer(footer), footerOffset + footer.length);
  return block;
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
