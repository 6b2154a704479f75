/** The `.evodb` block format v2 (docs/format.md). */
export { writeBlock, type WriteBlockOptions } from "./writer";
export {
  readBlock,
  decodeColumnChunk,
  bloomMightContain,
  decodeBloomFilter,
  readBlockBloomFilter,
  columnStats,
  selectColumns,
  type ReadBlockOptions,
  type DecodeColumnOptions,
  type ColumnStatsSummary,
} from "./reader";
export {
  parseBlockFooter,
  readBlockTrailer,
  type BlockFooter,
  type BlockColumn,
  type BloomLocation,
  type BlockTrailer,
  type ChunkLocation,
} from "./footer";
export type { ColumnStats } from "./stats";
export type { DecodedColumn } from "./chunk";
export type { StringCodes } from "../encoding/string";
export type { BloomFilter } from "./bloom";
export { openBlock, type OpenBlockOptions, type OpenedBlock } from "./open";
export {
  BLOCK_FORMAT_VERSION,
  BLOCK_HEADER_SIZE,
  BLOCK_TRAILER_SIZE,
  DEFAULT_FOOTER_READ_SIZE,
  MAX_BLOCK_ROWS,
  MAX_BLOCK_COLUMNS,
  MAX_CHUNK_BYTES,
} from "./constants";
