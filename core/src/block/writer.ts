/**
 * writeBlock: a {@link ShreddedBatch} to the bytes of one `.evodb` block (docs/format.md).
 * Layout: header, one chunk per column at 8-byte aligned offsets (each optionally deflated and
 * CRC-32C checked), footer, trailer.
 */
import type { ShreddedBatch } from "../column";
import { EvoDBError } from "../errors";
import { crc32c } from "../checksum";
import { ByteWriter } from "../encoding/bytes";
import { deflateIfSmaller } from "../encoding/compress";
import { distinctStrings } from "../encoding/string";
import { bloomShape, buildBloom, type BloomFilter } from "./bloom";
import { compactValues, encodeChunk } from "./chunk";
import { BLOCK_FORMAT_VERSION, BLOCK_MAGIC, CHUNK_ALIGNMENT, MAX_BLOCK_COLUMNS, MAX_BLOCK_ROWS } from "./constants";
import { writeFooter, writeTrailer, type BlockColumn } from "./footer";
import { computeStats, countTags } from "./stats";

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

/** Encodes a batch as one `.evodb` block (format version 1). Throws INVALID_ARGUMENT for a batch that breaks the column contract. */
export function writeBlock(batch: ShreddedBatch, options: WriteBlockOptions = {}): Uint8Array {
  validateBatch(batch);
  const compress = (options.compression ?? "auto") === "auto";
  const level = options.compressionLevel ?? 6;
  const minGain = options.minCompressionGain ?? 0.1;
  const fpp = options.bloomFalsePositiveRate ?? 0.01;
  if (!(fpp > 0 && fpp < 1)) invalid(`bloomFalsePositiveRate ${fpp} must be between 0 and 1`);
  const maxBloomBytes = options.maxBloomBytes ?? 1 << 20;
  const wantBloom = options.bloomFilter ?? true;

  const out = new ByteWriter(1024);
  out.bytes(BLOCK_MAGIC);
  out.u16(BLOCK_FORMAT_VERSION);
  out.u16(0);
  const directory: BlockColumn[] = [];
  for (const column of batch.columns) {
    const tagCounts = countTags(column.tags);
    const compact = compactValues(column, tagCounts[2]);
    // One distinct pass serves the string dictionary, the string statistics and the bloom filter.
    const distinct = Array.isArray(compact) && compact.length >= 2 ? distinctStrings(compact, 0, compact.length) : null;
    const { payload, encodings, hasOverflow } = encodeChunk(column, compact, tagCounts[4], distinct);
    const { stats, hash1, hash2 } = computeStats(column.type, tagCounts, compact, tagCounts[2], distinct);
    let bloom: BloomFilter | null = null;
    const bloomable = column.type === "int" || column.type === "string";
    if (bloomable && stats.valueCount > 0 && (typeof wantBloom === "function" ? wantBloom(column.path) : wantBloom)) {
      const shape = bloomShape(stats.distinctCount, fpp);
      if (shape.bytes <= maxBloomBytes) bloom = buildBloom(hash1, hash2, hash1.length, shape.bytes, shape.hashCount);
    }
    const packed = compress ? deflateIfSmaller(payload, level, minGain) : null;
    const stored = packed ?? payload;
    out.align(CHUNK_ALIGNMENT);
    const offset = out.length;
    out.bytes(stored);
    directory.push({
      path: column.path,
      type: column.type,
      encodings,
      hasOverflow,
      chunk: { offset, length: stored.length, rawLength: payload.length, compression: packed ? "deflate" : "none", crc32c: crc32c(stored) },
      stats,
      bloom,
    });
  }
  out.align(CHUNK_ALIGNMENT);
  const footer = writeFooter(batch.rowCount, directory);
  out.bytes(footer);
  out.bytes(writeTrailer(footer));
  return out.finish();
}
