/** Fixed numbers of the `.evodb` block format (docs/format.md). Changing any of them is a new version. */

/** "EVDB" read as a little-endian u32 at offset 0 and at blockSize - 4. */
export const BLOCK_MAGIC = Uint8Array.of(0x45, 0x56, 0x44, 0x42);
/** The only format version this build writes and reads. */
export const BLOCK_FORMAT_VERSION = 2;
/** Header: magic (4) + version u16 + reserved u16. */
export const BLOCK_HEADER_SIZE = 8;
/** Trailer: footer length u32 + footer CRC-32C u32 + version u16 + reserved u16 + magic (4). */
export const BLOCK_TRAILER_SIZE = 16;
/** Chunks start at multiples of this offset, so bit-packed words and float64s can be read in place. */
export const CHUNK_ALIGNMENT = 8;
/**
 * Suffix a reader fetches first; enough for the footer of most blocks (docs/format.md, "Reading").
 * Footers hold no bloom filters since format v2 (a 50-column footer is about 3 KB), and every byte of
 * the suffix beyond the footer is paid for and rarely used.
 */
export const DEFAULT_FOOTER_READ_SIZE = 8 * 1024;
/**
 * Most rows one block may hold. Bounds what a hostile row count can make a reader allocate
 * (8 bytes per row per decoded column), since a constant column legitimately takes a few bytes for any count.
 */
export const MAX_BLOCK_ROWS = 1 << 24;
/**
 * Largest chunk payload (before or after compression). Bounds what a hostile `rawLength` can make a
 * reader allocate for inflating; a chunk this large would not fit a Worker's 128 MB anyway.
 */
export const MAX_CHUNK_BYTES = 256 * 1024 * 1024;
/** Most columns one block may hold. */
export const MAX_BLOCK_COLUMNS = 1 << 16;

/** Column type codes in the footer. */
export const COLUMN_TYPE_CODES = ["none", "bool", "int", "float", "string"] as const;
