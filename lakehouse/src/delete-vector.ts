import { crc32c, EvoDBError } from "@evodb/core";

/**
 * The delete vector: the sorted row positions deleted from one data file (docs/lakehouse.md,
 * "Delete vector"). Little-endian:
 *
 * | offset | size | field                                                   |
 * | ------ | ---- | ------------------------------------------------------- |
 * | 0      | 4    | magic `EVDV`                                            |
 * | 4      | 1    | version (1)                                             |
 * | 5      | 3    | reserved, zero                                          |
 * | 8      | 4    | count n (u32)                                           |
 * | 12     | 4n   | positions (u32), strictly ascending                     |
 * | 12+4n  | 4    | CRC-32C of bytes [0, 12+4n)                             |
 */

const MAGIC = [0x45, 0x56, 0x44, 0x56] as const;
/** The delete vector version this build reads and writes. */
export const DELETE_VECTOR_VERSION = 1;
const HEADER = 12;

function corrupt(problem: string): EvoDBError {
  return new EvoDBError("CORRUPT_METADATA", `Delete vector is corrupt: ${problem}. Re-read it; if it persists, the file was damaged and the table needs restoring.`);
}

/** Encodes row positions (any order, duplicates allowed) as a delete vector. */
export function encodeDeleteVector(positions: ArrayLike<number>): Uint8Array {
  const sorted = Uint32Array.from(positions, (p) => {
    if (!Number.isInteger(p) || p < 0 || p > 0xffffffff) throw new EvoDBError("INVALID_ARGUMENT", `Row position ${p} is not an integer in [0, 2^32).`);
    return p;
  }).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  const bytes = new Uint8Array(HEADER + 4 * n + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[4] = DELETE_VECTOR_VERSION;
  view.setUint32(8, n, true);
  for (let i = 0; i < n; i++) view.setUint32(HEADER + 4 * i, sorted[i]!, true);
  view.setUint32(HEADER + 4 * n, crc32c(bytes, 0, HEADER + 4 * n), true);
  return bytes;
}

/** Decodes a delete vector into its strictly ascending positions; `CORRUPT_METADATA` on bad bytes. */
export function decodeDeleteVector(bytes: Uint8Array): Uint32Array {
  if (bytes.length < HEADER + 4) throw corrupt(`${bytes.length} bytes is shorter than the 16-byte minimum`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) throw corrupt("bad magic (not an EVDV file)");
  if (bytes[4] !== DELETE_VECTOR_VERSION) {
    throw new EvoDBError("UNSUPPORTED_VERSION", `Delete vector version ${bytes[4]} is not supported (this build reads ${DELETE_VECTOR_VERSION}); upgrade @evodb/lakehouse.`);
  }
  if (bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) throw corrupt("reserved bytes are not zero");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(8, true);
  if (bytes.length !== HEADER + 4 * n + 4) throw corrupt(`length ${bytes.length} does not match ${n} positions`);
  if (view.getUint32(HEADER + 4 * n, true) !== crc32c(bytes, 0, HEADER + 4 * n)) throw corrupt("checksum mismatch");
  const positions = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const p = view.getUint32(HEADER + 4 * i, true);
    if (i > 0 && p <= positions[i - 1]!) throw corrupt(`positions are not strictly ascending at index ${i}`);
    positions[i] = p;
  }
  return positions;
}
