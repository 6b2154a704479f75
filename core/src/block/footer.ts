/**
 * The footer and trailer of an `.evodb` block (docs/format.md, "Footer" and "Trailer"): the column
 * directory with per-column encodings, chunk location, checksums, statistics and the location of
 * an optional bloom filter. Filters live in their own regions before the footer (format v2), so a
 * footer read costs the same whatever the filters weigh, and a planner fetches only the filters of
 * the columns its predicate probes. Parsing validates every count, length and offset before use.
 */
import type { ColumnType } from "../column";
import { EvoDBError } from "../errors";
import { crc32c } from "../checksum";
import { ByteReader, ByteWriter, corrupt } from "../encoding/bytes";
import { readUtf8, writeUtf8 } from "../encoding/utf8";
import { MAX_BLOOM_HASHES } from "./bloom";
import {
  BLOCK_FORMAT_VERSION,
  BLOCK_HEADER_SIZE,
  BLOCK_MAGIC,
  BLOCK_TRAILER_SIZE,
  COLUMN_TYPE_CODES,
  MAX_BLOCK_COLUMNS,
  MAX_BLOCK_ROWS,
  MAX_CHUNK_BYTES,
} from "./constants";
import type { ColumnStats } from "./stats";

/** Where a column's chunk lies in the block and how it is stored. */
export interface ChunkLocation {
  /** Byte offset of the chunk from the start of the block. */
  readonly offset: number;
  /** Stored bytes (compressed size when compressed). */
  readonly length: number;
  /** Size of the chunk payload after decompression (equals `length` when not compressed). */
  readonly rawLength: number;
  readonly compression: "none" | "deflate";
  /** CRC-32C of the stored bytes. */
  readonly crc32c: number;
}

/** Where a column's bloom filter lies in the block (docs/format.md, "Bloom filter"). */
export interface BloomLocation {
  /** Byte offset of the filter bits from the start of the block. */
  readonly offset: number;
  /** Bytes of filter bits (m = 8 * length bits). */
  readonly length: number;
  /** Number of probes k (1..16). */
  readonly hashCount: number;
  /** CRC-32C of the filter bytes. */
  readonly crc32c: number;
}

/** One entry of the column directory. */
export interface BlockColumn {
  readonly path: readonly string[];
  readonly type: ColumnType;
  /** Encoding ids (docs/format.md, "Encoding ids") of the tag stream and the value stream (0: no values). */
  readonly encodings: { readonly tags: number; readonly values: number };
  /** True when Object rows carry overflow members. */
  readonly hasOverflow: boolean;
  readonly chunk: ChunkLocation;
  readonly stats: ColumnStats;
  /** Location of the bloom filter over the Value entries, if one was written. */
  readonly bloom: BloomLocation | null;
}

/** A parsed footer. */
export interface BlockFooter {
  readonly version: number;
  readonly rowCount: number;
  /** Size in bytes of the whole block this footer was parsed from. */
  readonly blockSize: number;
  /** Offset of the footer, which is also the end of the data section. */
  readonly footerOffset: number;
  readonly columns: readonly BlockColumn[];
}

const StatsKind = { None: 0, Number: 1, String: 2, Bool: 3 } as const;

function writeString(w: ByteWriter, s: string): void {
  const scratch = new ByteWriter(s.length * 3 + 8);
  const n = writeUtf8(scratch, s);
  w.varint(n);
  w.bytes(scratch.subarray());
}

function readString(r: ByteReader, what: string): string {
  const n = r.count(r.remaining, what);
  const start = r.pos;
  r.pos += n;
  return readUtf8(r.bytes, start, start + n);
}

/** Serialises the footer body (without trailer). */
export function writeFooter(rowCount: number, columns: readonly BlockColumn[]): Uint8Array {
  const w = new ByteWriter(256 + columns.length * 64);
  w.varint(rowCount);
  w.varint(columns.length);
  for (const c of columns) {
    w.varint(c.path.length);
    for (const segment of c.path) writeString(w, segment);
    w.u8(COLUMN_TYPE_CODES.indexOf(c.type));
    w.u8((c.hasOverflow ? 1 : 0) | (c.bloom ? 2 : 0));
    w.u8(c.encodings.tags);
    w.u8(c.encodings.values);
    w.u8(c.chunk.compression === "deflate" ? 1 : 0);
    w.varint(c.chunk.offset);
    w.varint(c.chunk.length);
    w.varint(c.chunk.rawLength);
    w.u32(c.chunk.crc32c);
    const s = c.stats;
    for (const n of [s.missingCount, s.nullCount, s.valueCount, s.objectCount, s.variantCount, s.distinctCount]) w.varint(n);
    if (s.min === null || s.max === null) w.u8(StatsKind.None);
    else if (typeof s.min === "number" && typeof s.max === "number") {
      w.u8(StatsKind.Number);
      w.f64(s.min);
      w.f64(s.max);
    } else if (typeof s.min === "string" && typeof s.max === "string") {
      w.u8(StatsKind.String);
      writeString(w, s.min);
      writeString(w, s.max);
    } else {
      w.u8(StatsKind.Bool);
      w.u8(s.min ? 1 : 0);
      w.u8(s.max ? 1 : 0);
    }
    if (c.bloom) {
      w.u8(c.bloom.hashCount);
      w.varint(c.bloom.offset);
      w.varint(c.bloom.length);
      w.u32(c.bloom.crc32c);
    }
  }
  return w.finish();
}

/** Builds the 16-byte trailer for a footer. */
export function writeTrailer(footer: Uint8Array): Uint8Array {
  const w = new ByteWriter(BLOCK_TRAILER_SIZE);
  w.u32(footer.length);
  w.u32(crc32c(footer));
  w.u16(BLOCK_FORMAT_VERSION);
  w.u16(0);
  w.bytes(BLOCK_MAGIC);
  return w.finish();
}

/** What the trailer says: where the footer is and how long it is. */
export interface BlockTrailer {
  readonly version: number;
  readonly footerOffset: number;
  readonly footerLength: number;
  readonly footerCrc32c: number;
}

function checkMagic(bytes: Uint8Array, at: number, where: string): void {
  for (let i = 0; i < 4; i++) {
    if (bytes[at + i] !== BLOCK_MAGIC[i]) corrupt(`missing "EVDB" magic at the ${where}: not an .evodb block`);
  }
}

function checkVersion(version: number): void {
  if (version === 1) {
    // Version 1 kept bloom filters inside the footer. Rather than carry a second footer parser, this
    // build refuses it with a message that says what to do (docs/format.md, "Version history").
    throw new EvoDBError(
      "UNSUPPORTED_VERSION",
      `.evodb block format version 1 (bloom filters inside the footer) is no longer read; this build reads version ${BLOCK_FORMAT_VERSION}. Rewrite the table's blocks from their source documents with this @evodb/core`,
      { details: { version, supported: [BLOCK_FORMAT_VERSION] } },
    );
  }
  if (version !== BLOCK_FORMAT_VERSION) {
    throw new EvoDBError(
      "UNSUPPORTED_VERSION",
      `.evodb block format version ${version} is not supported by this build (it reads version ${BLOCK_FORMAT_VERSION}); upgrade @evodb/core`,
      { details: { version, supported: [BLOCK_FORMAT_VERSION] } },
    );
  }
}

/** Checks the 8-byte header at the start of a whole block. */
export function checkHeader(block: Uint8Array): void {
  if (block.length < BLOCK_HEADER_SIZE + BLOCK_TRAILER_SIZE) corrupt(`block of ${block.length} bytes is shorter than header and trailer`);
  checkMagic(block, 0, "start");
  const r = new ByteReader(block, 4, BLOCK_HEADER_SIZE);
  checkVersion(r.u16());
  if (r.u16() !== 0) corrupt("reserved header bytes are not zero");
}

/**
 * Reads the trailer from the last bytes of a block. `tail` is a suffix of the block (at least
 * {@link BLOCK_TRAILER_SIZE} bytes) and `blockSize` the size of the whole block.
 */
export function readBlockTrailer(tail: Uint8Array, blockSize: number): BlockTrailer {
  if (!Number.isSafeInteger(blockSize) || blockSize < BLOCK_HEADER_SIZE + BLOCK_TRAILER_SIZE) {
    corrupt(`block size ${blockSize} is smaller than header and trailer`);
  }
  if (tail.length < BLOCK_TRAILER_SIZE || tail.length > blockSize) {
    throw new EvoDBError("INVALID_ARGUMENT", `pass at least the last ${BLOCK_TRAILER_SIZE} bytes of the block (and no more than the block), got ${tail.length}`);
  }
  const at = tail.length - BLOCK_TRAILER_SIZE;
  checkMagic(tail, at + 12, "end");
  const r = new ByteReader(tail, at, tail.length);
  const footerLength = r.u32();
  const footerCrc32c = r.u32();
  const version = r.u16();
  checkVersion(version);
  if (r.u16() !== 0) corrupt("reserved trailer bytes are not zero");
  const footerOffset = blockSize - BLOCK_TRAILER_SIZE - footerLength;
  if (footerOffset < BLOCK_HEADER_SIZE) corrupt(`footer length ${footerLength} does not fit a block of ${blockSize} bytes`);
  return { version, footerOffset, footerLength, footerCrc32c };
}

/**
 * Parses the footer from a suffix of the block. `tail` must cover the footer and trailer (the last
 * `footerLength + 16` bytes); if it is shorter this throws INVALID_ARGUMENT with
 * `details.neededBytes`, so a caller can fetch a longer suffix.
 */
export function parseBlockFooter(tail: Uint8Array, blockSize: number): BlockFooter {
  const trailer = readBlockTrailer(tail, blockSize);
  const needed = trailer.footerLength + BLOCK_TRAILER_SIZE;
  if (tail.length < needed) {
    throw new EvoDBError("INVALID_ARGUMENT", `the footer needs the last ${needed} bytes of the block; only ${tail.length} were given`, {
      details: { neededBytes: needed },
    });
  }
  const start = tail.length - needed;
  const end = start + trailer.footerLength;
  if (crc32c(tail, start, end) !== trailer.footerCrc32c) corrupt("footer checksum mismatch");
  return decodeFooter(new ByteReader(tail, start, end), blockSize, trailer.footerOffset);
}

function decodeFooter(r: ByteReader, blockSize: number, footerOffset: number): BlockFooter {
  const rowCount = r.count(MAX_BLOCK_ROWS, "row count");
  // Each directory entry takes well over 16 bytes, which bounds the column count by the footer size.
  const columnCount = r.count(Math.min(MAX_BLOCK_COLUMNS, Math.floor(r.remaining / 16)), "column count");
  const columns: BlockColumn[] = [];
  for (let i = 0; i < columnCount; i++) {
    const depth = r.count(r.remaining, "path length");
    const path: string[] = [];
    for (let d = 0; d < depth; d++) path.push(readString(r, "path segment"));
    const typeCode = r.u8("column type");
    const type = COLUMN_TYPE_CODES[typeCode];
    if (type === undefined) corrupt(`unknown column type ${typeCode}`);
    const flags = r.u8("column flags");
    if (flags > 3) corrupt(`unknown column flags ${flags}`);
    const tags = r.u8("tags encoding");
    const values = r.u8("values encoding");
    const compressionCode = r.u8("compression");
    if (compressionCode > 1) corrupt(`unknown compression ${compressionCode}`);
    const offset = r.varint("chunk offset");
    const length = r.varint("chunk length");
    const rawLength = r.varint("chunk raw length");
    const chunkCrc = r.u32("chunk checksum");
    if (offset < BLOCK_HEADER_SIZE || length > footerOffset - offset) corrupt(`chunk [${offset}, +${length}) of column ${i} lies outside the data section`);
    if (compressionCode === 0 && rawLength !== length) corrupt(`uncompressed chunk of column ${i} states two lengths`);
    if (rawLength > MAX_CHUNK_BYTES) corrupt(`chunk of column ${i} claims ${rawLength} bytes, above the ${MAX_CHUNK_BYTES}-byte limit`);
    const counts: number[] = [];
    for (let k = 0; k < 6; k++) counts.push(r.count(rowCount, "column count field"));
    if (counts[0]! + counts[1]! + counts[2]! + counts[3]! + counts[4]! !== rowCount) corrupt(`tag counts of column ${i} do not add up to ${rowCount} rows`);
    if (counts[5]! > counts[2]!) corrupt(`distinct count of column ${i} exceeds its value count`);
    let min: ColumnStats["min"] = null;
    let max: ColumnStats["max"] = null;
    const kind = r.u8("stats kind");
    if (kind === StatsKind.Number) {
      min = r.f64();
      max = r.f64();
    } else if (kind === StatsKind.String) {
      min = readString(r, "string min");
      max = readString(r, "string max");
    } else if (kind === StatsKind.Bool) {
      min = r.u8() === 1;
      max = r.u8() === 1;
    } else if (kind !== StatsKind.None) corrupt(`unknown stats kind ${kind}`);
    let bloom: BloomLocation | null = null;
    if (flags & 2) {
      const hashCount = r.u8("bloom hash count");
      if (hashCount < 1 || hashCount > MAX_BLOOM_HASHES) corrupt(`bloom hash count ${hashCount} outside 1..${MAX_BLOOM_HASHES}`);
      const bloomOffset = r.varint("bloom offset");
      const bloomLength = r.varint("bloom length");
      const bloomCrc = r.u32("bloom checksum");
      if (bloomLength === 0) corrupt(`empty bloom filter in column ${i}`);
      if (bloomOffset < BLOCK_HEADER_SIZE || bloomLength > footerOffset - bloomOffset) corrupt(`bloom filter [${bloomOffset}, +${bloomLength}) of column ${i} lies outside the data section`);
      bloom = { offset: bloomOffset, length: bloomLength, hashCount, crc32c: bloomCrc };
    }
    columns.push({
      path,
      type,
      encodings: { tags, values },
      hasOverflow: (flags & 1) !== 0,
      chunk: { offset, length, rawLength, compression: compressionCode === 1 ? "deflate" : "none", crc32c: chunkCrc },
      stats: {
        missingCount: counts[0]!,
        nullCount: counts[1]!,
        valueCount: counts[2]!,
        objectCount: counts[3]!,
        variantCount: counts[4]!,
        distinctCount: counts[5]!,
        min,
        max,
      },
      bloom,
    });
  }
  r.expectEnd("footer");
  return { version: BLOCK_FORMAT_VERSION, rowCount, blockSize, footerOffset, columns };
}
