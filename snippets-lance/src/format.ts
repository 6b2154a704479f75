/**
 * The snippet-lance index format, version 1 (docs/snippets-lance.md). Two objects:
 * - the header (`<name>/header`): quantiser parameters, IVF centroids and the partition directory;
 *   small enough for a Snippet to cache in module scope between requests;
 * - the data object (`<name>/data-<crc>`): every partition's row ids, optional refine vectors and
 *   SQ8 codes contiguous, so one Range read fetches a run of partitions.
 * All numbers are little-endian. Every decode checks magic, version, bounds and CRC-32C.
 */
import { crc32c, EvoDBError } from "@evodb/core";

/** First four bytes of a header object: "ESL" followed by 0x01 for the format family. */
export const HEADER_MAGIC = 0x014c5345;
/** The one header version this build reads and writes. */
export const FORMAT_VERSION = 1;
/** Fixed part of the header before the data key (docs/snippets-lance.md, "Header"). */
export const HEADER_FIXED_BYTES = 40;
/** Partitions start at multiples of this in the data object, so row ids (f64) and f32 vectors are aligned. */
export const PARTITION_ALIGN = 8;
/** Largest dimension accepted; keeps per-query scratch (a few arrays of `dim`) tiny. */
export const MAX_DIM = 4096;
/** Largest partition count accepted; the centroid scan is `partitions * dim` per query. */
export const MAX_PARTITIONS = 65_536;

/** Distance of the index: squared euclidean, or cosine distance (1 - cos) over normalised vectors. */
export type Metric = "l2" | "cosine";

/**
 * What the SQ8 codes quantise (docs/snippets-lance.md, "Quantiser"): the vectors themselves (code 1),
 * or each vector's residual from its partition's centroid (code 2; several times finer steps on
 * clustered data, higher recall for the same bytes, measured in the benchmark's snippets section).
 */
export type Quantiser = "sq8" | "sq8-residual";

const QUANTISER_CODES: Record<Quantiser, number> = { sq8: 1, "sq8-residual": 2 };

/** The decoded header: everything a query needs before it reads partition bytes. */
export interface IndexHeader {
  readonly metric: Metric;
  readonly dim: number;
  readonly partitionCount: number;
  readonly rowCount: number;
  /** 4 (uint32 row ids) or 8 (float64 row ids, integers up to 2^53 - 1). */
  readonly rowIdWidth: 4 | 8;
  /** Whether each partition also stores its float32 vectors for exact re-ranking. */
  readonly hasRefine: boolean;
  /** What the SQ8 codes encode: the vector, or its residual from the partition centroid. */
  readonly quantiser: Quantiser;
  /** Key suffix of the data object, relative to the index name (`data-<crc hex>`). */
  readonly dataKey: string;
  readonly dataSize: number;
  /** SQ8 per-dimension minimum and step: value (or residual) = min + code * step. */
  readonly sqMin: Float32Array;
  readonly sqStep: Float32Array;
  /** `partitionCount * dim` centroids, row-major. */
  readonly centroids: Float32Array;
  /** Rows per partition. */
  readonly partitionRows: Uint32Array;
  /** CRC-32C of each partition's bytes (without padding). */
  readonly partitionCrcs: Uint32Array;
  /** Byte offset of each partition in the data object, plus a final entry equal to `dataSize`. */
  readonly partitionOffsets: Float64Array;
}

/** Unpadded byte length of a partition of `rows` rows. */
export function partitionByteLength(rows: number, dim: number, rowIdWidth: number, hasRefine: boolean): number {
  return rows * (rowIdWidth + (hasRefine ? 4 * dim : 0) + dim);
}

/** Pads `n` up to the partition alignment. */
export function alignPartition(n: number): number {
  return Math.ceil(n / PARTITION_ALIGN) * PARTITION_ALIGN;
}

function corrupt(message: string, details?: Record<string, unknown>): EvoDBError {
  return new EvoDBError("CORRUPT_BLOCK", `snippets-lance header: ${message}; rebuild the index with buildIndex`, { details });
}

function headerLength(dim: number, partitions: number, keyBytes: number): number {
  return HEADER_FIXED_BYTES + Math.ceil(keyBytes / 4) * 4 + 8 * dim + 4 * partitions * dim + 8 * partitions + 4;
}

/** Serialises a header (the builder's half of {@link decodeHeader}). */
export function encodeHeader(h: Omit<IndexHeader, "partitionOffsets">): Uint8Array {
  const key = new TextEncoder().encode(h.dataKey);
  const bytes = new Uint8Array(headerLength(h.dim, h.partitionCount, key.length));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, HEADER_MAGIC, true);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint8(6, h.metric === "l2" ? 0 : 1);
  view.setUint8(7, h.hasRefine ? 1 : 0);
  view.setUint8(8, QUANTISER_CODES[h.quantiser]);
  view.setUint8(9, h.rowIdWidth);
  view.setUint16(10, key.length, true);
  view.setUint32(12, h.dim, true);
  view.setUint32(16, h.partitionCount, true);
  view.setFloat64(20, h.rowCount, true);
  view.setFloat64(28, h.dataSize, true);
  let at = HEADER_FIXED_BYTES;
  bytes.set(key, at);
  at += Math.ceil(key.length / 4) * 4;
  for (const arr of [h.sqMin, h.sqStep, h.centroids]) {
    for (let i = 0; i < arr.length; i++, at += 4) view.setFloat32(at, arr[i]!, true);
  }
  for (let p = 0; p < h.partitionCount; p++, at += 8) {
    view.setUint32(at, h.partitionRows[p]!, true);
    view.setUint32(at + 4, h.partitionCrcs[p]!, true);
  }
  view.setUint32(at, crc32c(bytes, 0, at), true);
  return bytes;
}

function readFloats(view: DataView, at: number, count: number, what: string): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = view.getFloat32(at + 4 * i, true);
    if (!Number.isFinite(v)) throw corrupt(`${what}[${i}] is not finite`);
    out[i] = v;
  }
  return out;
}

/** Decodes and validates a header; hostile or truncated bytes throw `EvoDBError` (CORRUPT_BLOCK / UNSUPPORTED_VERSION). */
export function decodeHeader(bytes: Uint8Array): IndexHeader {
  if (bytes.length < HEADER_FIXED_BYTES + 4) throw corrupt(`${bytes.length} bytes is shorter than the fixed header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== HEADER_MAGIC) throw corrupt("bad magic (not a snippets-lance header)");
  const version = view.getUint16(4, true);
  if (version !== FORMAT_VERSION) {
    throw new EvoDBError("UNSUPPORTED_VERSION", `snippets-lance header version ${version} is not supported (this build reads ${FORMAT_VERSION}); upgrade @evodb/snippets-lance or rebuild the index`);
  }
  const metricCode = view.getUint8(6);
  const flags = view.getUint8(7);
  const quantiser = view.getUint8(8);
  const rowIdWidth = view.getUint8(9);
  const keyLength = view.getUint16(10, true);
  const dim = view.getUint32(12, true);
  const partitionCount = view.getUint32(16, true);
  const rowCount = view.getFloat64(20, true);
  const dataSize = view.getFloat64(28, true);
  if (metricCode > 1) throw corrupt(`unknown metric ${metricCode}`);
  if (flags > 1) throw corrupt(`unknown flags ${flags}`);
  if (quantiser !== 1 && quantiser !== 2) throw corrupt(`unknown quantiser ${quantiser}`);
  if (rowIdWidth !== 4 && rowIdWidth !== 8) throw corrupt(`row id width ${rowIdWidth} is not 4 or 8`);
  if (dim < 1 || dim > MAX_DIM) throw corrupt(`dimension ${dim} is outside 1..${MAX_DIM}`);
  if (partitionCount < 1 || partitionCount > MAX_PARTITIONS) throw corrupt(`partition count ${partitionCount} is outside 1..${MAX_PARTITIONS}`);
  if (!Number.isSafeInteger(rowCount) || rowCount < 0) throw corrupt(`row count ${rowCount} is not a safe integer`);
  if (!Number.isSafeInteger(dataSize) || dataSize < 0) throw corrupt(`data size ${dataSize} is not a safe integer`);
  const expected = headerLength(dim, partitionCount, keyLength);
  if (bytes.length !== expected) throw corrupt(`length ${bytes.length} differs from the ${expected} bytes its fields imply`);
  const end = expected - 4;
  if (crc32c(bytes, 0, end) !== view.getUint32(end, true)) throw corrupt("CRC-32C mismatch");
  let dataKey: string;
  try {
    dataKey = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(HEADER_FIXED_BYTES, HEADER_FIXED_BYTES + keyLength));
  } catch (cause) {
    throw new EvoDBError("CORRUPT_BLOCK", "snippets-lance header: data key is not UTF-8; rebuild the index", { cause });
  }
  if (!/^data-[0-9a-f]{8}$/.test(dataKey)) throw corrupt(`data key ${JSON.stringify(dataKey)} is not data-<8 hex digits>`);
  let at = HEADER_FIXED_BYTES + Math.ceil(keyLength / 4) * 4;
  const sqMin = readFloats(view, at, dim, "sqMin");
  at += 4 * dim;
  const sqStep = readFloats(view, at, dim, "sqStep");
  at += 4 * dim;
  for (let j = 0; j < dim; j++) if (sqStep[j]! < 0) throw corrupt(`sqStep[${j}] is negative`);
  const centroids = readFloats(view, at, partitionCount * dim, "centroids");
  at += 4 * partitionCount * dim;
  const partitionRows = new Uint32Array(partitionCount);
  const partitionCrcs = new Uint32Array(partitionCount);
  const partitionOffsets = new Float64Array(partitionCount + 1);
  let rows = 0;
  for (let p = 0; p < partitionCount; p++, at += 8) {
    partitionRows[p] = view.getUint32(at, true);
    partitionCrcs[p] = view.getUint32(at + 4, true);
    rows += partitionRows[p]!;
    partitionOffsets[p + 1] = partitionOffsets[p]! + alignPartition(partitionByteLength(partitionRows[p]!, dim, rowIdWidth, flags === 1));
  }
  if (rows !== rowCount) throw corrupt(`partitions hold ${rows} rows, header says ${rowCount}`);
  if (partitionOffsets[partitionCount] !== dataSize) throw corrupt(`partitions span ${partitionOffsets[partitionCount]} bytes, header says ${dataSize}`);
  return {
    metric: metricCode === 0 ? "l2" : "cosine",
    dim,
    partitionCount,
    rowCount,
    rowIdWidth,
    hasRefine: flags === 1,
    quantiser: quantiser === 1 ? "sq8" : "sq8-residual",
    dataKey,
    dataSize,
    sqMin,
    sqStep,
    centroids,
    partitionRows,
    partitionCrcs,
    partitionOffsets,
  };
}
