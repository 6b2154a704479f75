/**
 * FastLanes bit-unpacking (the layout of Lance's `InlineBitpacking` / `OutOfLineBitpacking`, from
 * the `fastlanes` crate): 1024 values of a T-bit type packed at width W into W*1024/T words of T
 * bits. The block is split into LANES = 1024/T lanes; lane `l` holds the values
 * `FL_ORDER[r/8]*16 + (r%8)*128 + l` for r in 0..T-1, as a little-endian bit stream of W bits each
 * spread over the words `k*LANES + l`.
 */
import { check } from "../errors";

const FL_ORDER = [0, 4, 2, 6, 1, 5, 3, 7];
/** Values per FastLanes block. */
export const BLOCK = 1024;

/** Bytes of one packed block of 1024 values at width `width`. */
export function packedBlockBytes(width: number): number {
  return (BLOCK * width) / 8;
}

/** Aligned scratch copy of one packed block (the largest is 1024 * 64 bits). */
const scratch = new ArrayBuffer(BLOCK * 8);
const scratch8 = new Uint8Array(scratch);
const scratch16 = new Uint16Array(scratch);
const scratch32 = new Uint32Array(scratch);

/**
 * Unpacks one block of 1024 values of a T-bit type packed at width `width` into `out`, one u32
 * word per value (two, low half first, when T = 64). Lanes are walked word by word: each value
 * takes at most two packed words (for T = 64, at most three 32-bit halves).
 */
export function unpackBlock(packed: Uint8Array, typeBits: 8 | 16 | 32 | 64, width: number, out: Uint32Array): void {
  check(width >= 0 && width <= typeBits && packed.length >= packedBlockBytes(width), "bit-packed block is truncated or too wide");
  const lanes = BLOCK / typeBits;
  out.fill(0);
  if (width === 0) return;
  const size = packedBlockBytes(width);
  scratch8.set(packed.subarray(0, size));
  if (typeBits === 64) {
    // A lane's u64 words, split into LE u32 halves, form one little-endian bit stream.
    const half = (lane: number, j: number) => scratch32[((j >> 1) * lanes + lane) * 2 + (j & 1)]!;
    const get = (lane: number, pos: number, n: number) => {
      const j = pos >>> 5;
      const s = pos & 31;
      let v = half(lane, j) >>> s;
      if (s + n > 32) v |= half(lane, j + 1) << (32 - s);
      return n === 32 ? v >>> 0 : (v & ((1 << n) - 1)) >>> 0;
    };
    for (let lane = 0; lane < lanes; lane++) {
      for (let row = 0; row < 64; row++) {
        const index = FL_ORDER[row >> 3]! * 16 + (row & 7) * 128 + lane;
        const pos = row * width;
        out[index * 2] = get(lane, pos, Math.min(width, 32));
        if (width > 32) out[index * 2 + 1] = get(lane, pos + 32, width - 32);
      }
    }
    return;
  }
  const words: Uint8Array | Uint16Array | Uint32Array = typeBits === 8 ? scratch8 : typeBits === 16 ? scratch16 : scratch32;
  const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
  for (let lane = 0; lane < lanes; lane++) {
    let pos = 0;
    for (let row = 0; row < typeBits; row++, pos += width) {
      const k = (pos / typeBits) | 0;
      const shift = pos - k * typeBits;
      let v = words[k * lanes + lane]! >>> shift;
      if (shift + width > typeBits) v |= words[(k + 1) * lanes + lane]! << (typeBits - shift);
      out[FL_ORDER[row >> 3]! * 16 + (row & 7) * 128 + lane] = v & mask;
    }
  }
}

/**
 * Decodes `InlineBitpacking`: blocks of [W as a T-bit integer][1024*W/8 bytes]. Returns the
 * first `count` values as little-endian bytes of T bits each.
 */
export function unpackInline(buffer: Uint8Array, typeBits: 8 | 16 | 32 | 64, count: number): Uint8Array {
  const wordBytes = typeBits / 8;
  const out = new Uint8Array(count * wordBytes);
  const block = new Uint32Array(BLOCK * (typeBits === 64 ? 2 : 1));
  const blockBytes = new Uint8Array(block.buffer);
  let pos = 0;
  for (let start = 0; start < count; start += BLOCK) {
    check(pos + wordBytes <= buffer.length, "bit-packed chunk is truncated");
    const width = buffer[pos]! | (wordBytes > 1 ? buffer[pos + 1]! << 8 : 0);
    pos += wordBytes;
    const size = packedBlockBytes(width);
    check(width <= typeBits && pos + size <= buffer.length, "bit-packed chunk is truncated or has a bad width");
    unpackBlock(buffer.subarray(pos, pos + size), typeBits, width, block);
    pos += size;
    copyNarrowed(blockBytes, typeBits, out, start, Math.min(BLOCK, count - start));
  }
  return out;
}

/**
 * Decodes `OutOfLineBitpacking` with compressed width `width`: whole blocks of packed words, then
 * either a padded packed block or the tail values raw (the writer picks the smaller; the buffer
 * length tells which).
 */
export function unpackOutOfLine(buffer: Uint8Array, typeBits: 8 | 16 | 32 | 64, width: number, count: number): Uint8Array {
  const wordBytes = typeBits / 8;
  const out = new Uint8Array(count * wordBytes);
  const block = new Uint32Array(BLOCK * (typeBits === 64 ? 2 : 1));
  const blockBytes = new Uint8Array(block.buffer);
  const size = packedBlockBytes(width);
  const whole = Math.floor(count / BLOCK);
  const tail = count % BLOCK;
  const tailRaw = tail > 0 && buffer.length === whole * size + tail * wordBytes;
  check(buffer.length >= whole * size + (tail === 0 ? 0 : tailRaw ? tail * wordBytes : size), "out-of-line bit-packed buffer is truncated");
  for (let b = 0; b < whole + (tail > 0 && !tailRaw ? 1 : 0); b++) {
    unpackBlock(buffer.subarray(b * size, (b + 1) * size), typeBits, width, block);
    copyNarrowed(blockBytes, typeBits, out, b * BLOCK, Math.min(BLOCK, count - b * BLOCK));
  }
  if (tailRaw) out.set(buffer.subarray(whole * size, whole * size + tail * wordBytes), whole * BLOCK * wordBytes);
  return out;
}

/** Copies `n` unpacked values (u32 words, or u32 pairs for 64-bit) as T-bit LE bytes into `out`. */
function copyNarrowed(blockBytes: Uint8Array, typeBits: number, out: Uint8Array, startValue: number, n: number): void {
  const wordBytes = typeBits / 8;
  if (typeBits >= 32) {
    out.set(blockBytes.subarray(0, n * wordBytes), startValue * wordBytes);
    return;
  }
  // Values are stored one per u32 word; keep the low T bits (LE: the first bytes of each word).
  let o = startValue * wordBytes;
  for (let i = 0; i < n; i++) {
    out[o++] = blockBytes[i * 4]!;
    if (wordBytes === 2) out[o++] = blockBytes[i * 4 + 1]!;
  }
}
