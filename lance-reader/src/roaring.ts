/**
 * Reader of 32-bit Roaring bitmaps in the portable serialization
 * (https://github.com/RoaringBitmap/RoaringFormatSpec), used by Lance for bitmap deletion files
 * (`_deletions/*.bin`) and for the fragment bitmap of an index.
 */
import { check, corrupt } from "./errors";
import { ByteView } from "./io";

const SERIAL_COOKIE_NO_RUN = 12346;
const SERIAL_COOKIE = 12347;
const NO_OFFSET_THRESHOLD = 4;

/**
 * Decodes a serialized bitmap into its sorted values, all of which must be at most `maxValue`
 * (checked per container before expanding it, so a hostile bitmap cannot make us loop for ages).
 */
export function readRoaring(bytes: Uint8Array, maxValue: number): Uint32Array {
  if (bytes.length === 0) return new Uint32Array(0);
  const v = new ByteView(bytes);
  const cookie = v.u32(0);
  let pos = 4;
  let size: number;
  let runFlags: Uint8Array | null = null;
  if (cookie === SERIAL_COOKIE_NO_RUN) {
    size = v.u32(4);
    pos = 8;
  } else if ((cookie & 0xffff) === SERIAL_COOKIE) {
    size = (cookie >>> 16) + 1;
    const flagBytes = Math.ceil(size / 8);
    check(pos + flagBytes <= bytes.length, "roaring run flags are truncated");
    runFlags = bytes.subarray(pos, pos + flagBytes);
    pos += flagBytes;
  } else throw corrupt("roaring bitmap has an unknown cookie");
  check(size <= 65536, "roaring bitmap has too many containers");
  const keys = new Uint32Array(size);
  const cards = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    keys[i] = v.u16(pos);
    cards[i] = v.u16(pos + 2) + 1;
    pos += 4;
  }
  if (!runFlags || size >= NO_OFFSET_THRESHOLD) pos += 4 * size; // container offsets; containers follow in order anyway
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    const high = keys[i]! * 65536;
    check(high <= maxValue, "roaring bitmap holds a value beyond its range");
    const isRun = runFlags !== null && ((runFlags[i >> 3]! >> (i & 7)) & 1) === 1;
    if (isRun) {
      const runs = v.u16(pos);
      pos += 2;
      for (let r = 0; r < runs; r++) {
        const start = v.u16(pos);
        const length = v.u16(pos + 2);
        pos += 4;
        check(start + length <= 65535, "roaring run leaves its container");
        for (let x = start; x <= start + length; x++) out.push(high + x);
      }
    } else if (cards[i]! <= 4096) {
      for (let k = 0; k < cards[i]!; k++) out.push(high + v.u16(pos + 2 * k));
      pos += 2 * cards[i]!;
    } else {
      check(pos + 8192 <= bytes.length, "roaring bitmap container is truncated");
      for (let w = 0; w < 8192; w++) {
        const byte = bytes[pos + w]!;
        if (byte !== 0) for (let b = 0; b < 8; b++) if ((byte >> b) & 1) out.push(high + w * 8 + b);
      }
      pos += 8192;
    }
  }
  return Uint32Array.from(out);
}
