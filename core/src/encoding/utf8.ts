/**
 * String <-> bytes for every string EvoDB stores. Well-formed strings are UTF-8 (TextEncoder /
 * TextDecoder, native speed). JSON may carry lone surrogates ("\ud800" is valid JSON text), which
 * UTF-8 cannot represent and TextEncoder would silently turn into U+FFFD; such strings are written
 * as WTF-8 (surrogate code points encoded like any other 3-byte sequence) so they round-trip
 * exactly. Every valid UTF-8 string is also valid WTF-8, so a reader can always use the WTF-8
 * decoder; the fast native path is just an optimisation.
 */
import { ByteWriter } from "./bytes";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

/** True when `s` has no lone surrogate (so TextEncoder is exact). Native where the runtime has it (ES2024). */
export function isWellFormed(s: string): boolean {
  return nativeIsWellFormed ? nativeIsWellFormed.call(s) : scanWellFormed(s);
}

const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

function scanWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** Appends the WTF-8 bytes of `s` to `out` and returns how many were written. */
export function writeUtf8(out: ByteWriter, s: string): number {
  // Upper bound: 3 bytes per UTF-16 code unit.
  out.ensure(s.length * 3);
  const start = out.length;
  const buf = out.raw();
  if (s.length <= 64) {
    // Short strings: a plain loop beats the per-call cost of encodeInto; bail out at the first non-ASCII unit.
    let pos = start;
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      buf[pos++] = c;
    }
    if (ascii) {
      out.length = pos;
      return pos - start;
    }
  }
  if (isWellFormed(s)) {
    const { written } = encoder.encodeInto(s, buf.subarray(start));
    out.length = start + written;
    return written;
  }
  let pos = start;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) buf[pos++] = c;
    else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 63);
      buf[pos++] = 0x80 | (c & 63);
    } else {
      buf[pos++] = 0xf0 | (c >> 18);
      buf[pos++] = 0x80 | ((c >> 12) & 63);
      buf[pos++] = 0x80 | ((c >> 6) & 63);
      buf[pos++] = 0x80 | (c & 63);
    }
  }
  out.length = pos;
  return pos - start;
}

/** True when `bytes[start, end)` are all ASCII. */
export function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/** True when `bytes[start, end)` contain an encoded surrogate (ED A0..BF xx), i.e. need the WTF-8 path. */
export function hasEncodedSurrogate(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i + 1 < end; i++) if (bytes[i] === 0xed && bytes[i + 1]! >= 0xa0) return true;
  return false;
}

/**
 * Decodes WTF-8 `bytes[start, end)`. Malformed sequences become U+FFFD (like TextDecoder); the
 * block checksums, not this function, are what rule out corrupt bytes.
 */
export function readUtf8(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n < 24) {
    let s = "";
    let i = start;
    for (; i < end; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (i === end) return s;
  }
  if (!hasEncodedSurrogate(bytes, start, end)) return decoder.decode(bytes.subarray(start, end));
  let out = "";
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    let cp = 0xfffd;
    let len = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && i + 1 < end && (bytes[i + 1]! & 0xc0) === 0x80) {
      cp = ((b & 31) << 6) | (bytes[i + 1]! & 63);
      len = 2;
    } else if (b >= 0xe0 && b < 0xf0 && i + 2 < end && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80) {
      const v = ((b & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63);
      if (v >= 0x800) {
        cp = v;
        len = 3;
      }
    } else if (
      b >= 0xf0 && b < 0xf5 && i + 3 < end &&
      (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80 && (bytes[i + 3]! & 0xc0) === 0x80
    ) {
      const v = ((b & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63);
      if (v >= 0x10000 && v <= 0x10ffff) {
        cp = v;
        len = 4;
      }
    }
    out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}
