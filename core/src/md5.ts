/**
 * MD5 (RFC 1321) of a byte array as 32 lowercase hex digits. Only used for object-store etags:
 * R2 reports the MD5 of the content as an object's etag (verified in workerd, see
 * object-store.ts), so the memory and filesystem stores compute the same value and behave exactly
 * like R2 for conditional puts. Not for security. Pure TypeScript so it runs in Workers, where
 * `node:crypto` is absent and `crypto.subtle` is async.
 */
const SHIFTS = new Uint8Array([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);
const SINES = new Int32Array(64);
for (let i = 0; i < 64; i++) SINES[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;

/** MD5 digest of `bytes` as lowercase hex. */
export function md5Hex(bytes: Uint8Array): string {
  const length = bytes.length;
  // Message + 0x80 + zero padding + 64-bit bit length, rounded up to 64-byte blocks.
  const paddedLength = ((length + 8) >>> 6) * 64 + 64;
  const tail = new Uint8Array(paddedLength - (length & ~63));
  tail.set(bytes.subarray(length & ~63));
  tail[length & 63] = 0x80;
  const tailView = new DataView(tail.buffer);
  tailView.setUint32(tail.length - 8, (length * 8) >>> 0, true);
  tailView.setUint32(tail.length - 4, Math.floor(length / 0x20000000), true);

  const words = new Int32Array(16);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  const fullBlocks = length >>> 6;
  const totalBlocks = fullBlocks + tail.length / 64;
  for (let block = 0; block < totalBlocks; block++) {
    const source = block < fullBlocks ? bytes : tail;
    const base = block < fullBlocks ? block * 64 : (block - fullBlocks) * 64;
    for (let w = 0; w < 16; w++) {
      const p = base + w * 4;
      words[w] = source[p]! | (source[p + 1]! << 8) | (source[p + 2]! << 16) | (source[p + 3]! << 24);
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    // Four rounds of 16 steps; separate loops keep the round function out of a per-step branch.
    for (let i = 0; i < 16; i++) {
      const sum = (a + ((b & c) | (~b & d)) + SINES[i]! + words[i]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + rotateLeft(sum, SHIFTS[i]!)) | 0;
    }
    for (let i = 16; i < 32; i++) {
      const sum = (a + ((d & b) | (~d & c)) + SINES[i]! + words[(5 * i + 1) & 15]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + rotateLeft(sum, SHIFTS[i]!)) | 0;
    }
    for (let i = 32; i < 48; i++) {
      const sum = (a + (b ^ c ^ d) + SINES[i]! + words[(3 * i + 5) & 15]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + rotateLeft(sum, SHIFTS[i]!)) | 0;
    }
    for (let i = 48; i < 64; i++) {
      const sum = (a + (c ^ (b | ~d)) + SINES[i]! + words[(7 * i) & 15]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + rotateLeft(sum, SHIFTS[i]!)) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  return wordHex(a0) + wordHex(b0) + wordHex(c0) + wordHex(d0);
}

function rotateLeft(value: number, shift: number): number {
  return (value << shift) | (value >>> (32 - shift));
}

/** A 32-bit word as 8 hex digits in little-endian byte order (MD5's output order). */
function wordHex(word: number): string {
  let out = "";
  for (let i = 0; i < 4; i++) out += ((word >>> (i * 8)) & 0xff).toString(16).padStart(2, "0");
  return out;
}
