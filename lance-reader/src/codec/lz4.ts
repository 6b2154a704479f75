/**
 * LZ4 block-format decompression (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md).
 * Lance's general LZ4 compression prefixes the block with its u32 LE uncompressed size.
 */
import { check } from "../errors";

/** Decompresses a raw LZ4 block into exactly `size` bytes. */
export function lz4DecompressBlock(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let s = 0;
  let o = 0;
  while (s < src.length) {
    const token = src[s++]!;
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do {
        check(s < src.length, "LZ4 literal length is truncated");
        b = src[s++]!;
        literals += b;
      } while (b === 255);
    }
    check(s + literals <= src.length && o + literals <= size, "LZ4 literals run past the buffer");
    out.set(src.subarray(s, s + literals), o);
    s += literals;
    o += literals;
    if (s >= src.length) break; // the last sequence has literals only
    check(s + 2 <= src.length, "LZ4 match offset is truncated");
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    check(offset > 0 && offset <= o, "LZ4 match offset is out of range");
    let matchLength = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        check(s < src.length, "LZ4 match length is truncated");
        b = src[s++]!;
        matchLength += b;
      } while (b === 255);
    }
    check(o + matchLength <= size, "LZ4 match runs past the output");
    // Byte by byte: matches may overlap their own output (offset < length).
    for (let k = 0; k < matchLength; k++, o++) out[o] = out[o - offset]!;
  }
  check(o === size, "LZ4 block decoded to the wrong size");
  return out;
}

/** Decompresses Lance's size-prefixed LZ4 buffer. */
export function lz4DecompressPrefixed(buffer: Uint8Array): Uint8Array {
  check(buffer.length >= 4, "LZ4 buffer is truncated");
  const size = (buffer[0]! | (buffer[1]! << 8) | (buffer[2]! << 16) | (buffer[3]! << 24)) >>> 0;
  // A hostile size must not allocate gigabytes: LZ4 expands at most 255x.
  check(size <= (buffer.length - 4) * 255 + 16, "LZ4 uncompressed size is implausible");
  return lz4DecompressBlock(buffer.subarray(4), size);
}
