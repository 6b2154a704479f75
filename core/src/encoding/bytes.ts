/**
 * Little-endian byte writer and bounds-checked reader shared by every encoding and the block
 * format. The reader is the hostile-input boundary: every length, count and offset it hands out
 * has been checked against the bytes that are actually there, so a decoder never allocates or
 * loops on a number it has not validated (docs/format.md, "Hostile input").
 */
import { EvoDBError } from "../errors";

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Throws the error every decoder raises on malformed bytes. */
export function corrupt(message: string): never {
  throw new EvoDBError("CORRUPT_BLOCK", `${message}; the block is truncated or corrupt: re-fetch or rewrite it`);
}

/** A growable output buffer with little-endian primitive writers. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Number of bytes written so far. */
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Appends one byte. */
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  /** Appends a little-endian u16. */
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  /** Appends a little-endian u32. */
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  /** Appends a little-endian float64. */
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  /** Unsigned LEB128 of a non-negative safe integer (up to 8 bytes for 2^53 - 1). */
  varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  /** Appends raw bytes. */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Zero bytes until `length` is a multiple of `alignment` (relative to the writer's start). */
  align(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0);
  }

  /** Writes 32-bit words (little-endian) after the caller aligned the writer to 4. */
  words(w: Uint32Array, count: number): void {
    this.ensure(count * 4);
    if (LITTLE_ENDIAN_HOST && this.length % 4 === 0 && this.buf.byteOffset === 0) {
      new Uint32Array(this.buf.buffer, this.length, count).set(w.subarray(0, count));
    } else {
      for (let i = 0; i < count; i++) this.view.setUint32(this.length + i * 4, w[i]!, true);
    }
    this.length += count * 4;
  }

  /** Direct access for encoders that write in place (e.g. UTF-8); valid until the next `ensure`. */
  raw(): Uint8Array {
    return this.buf;
  }

  /** Overwrites a little-endian u32 written earlier at `offset` (e.g. a length known only at the end). */
  patchU32(offset: number, v: number): void {
    this.view.setUint32(offset, v, true);
  }

  /** A copy-free view of the bytes written so far (valid until the next write). */
  subarray(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** The bytes written so far, as an exact-size copy. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Bounds-checked little-endian reader over `bytes[pos, end)`. Every method throws (see `fail`) on overrun. */
export class ByteReader {
  /** The whole buffer being read (positions are indexes into it). */
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** Next position to read. */
  pos: number;
  /** Position the reader may not pass. */
  readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
  }

  /**
   * Raises the error for malformed input. CORRUPT_BLOCK here; readers of other formats (CDC frames)
   * subclass and raise their own code, so one bounds-checked reader serves every binary format.
   */
  protected fail(message: string): never {
    return corrupt(message);
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Fails unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (n > this.end - this.pos) this.fail(`${what} needs ${n} bytes at offset ${this.pos} but only ${this.end - this.pos} remain`);
  }

  /** Reads one byte. */
  u8(what = "byte"): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  /** Reads a little-endian u16. */
  u16(what = "u16"): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  /** Reads a little-endian u32. */
  u32(what = "u32"): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads a little-endian float64. */
  f64(what = "f64"): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Unsigned LEB128; refuses encodings longer than 8 bytes or above 2^53 - 1. */
  varint(what = "varint"): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8(what);
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail(`${what} ${result} exceeds 2^53 - 1`);
        return result;
      }
      scale *= 0x80;
    }
    return this.fail(`${what} is longer than 8 bytes`);
  }

  /** A varint that must lie in [0, max]; `max` bounds what the caller may then allocate or loop over. */
  count(max: number, what: string): number {
    const v = this.varint(what);
    if (v > max) this.fail(`${what} ${v} exceeds its limit ${max}`);
    return v;
  }

  /** A view of the next `n` bytes (no copy). */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Skips zero padding up to a multiple of `alignment` (relative to `base`); padding must be zero. */
  align(alignment: number, base: number): void {
    while ((this.pos - base) % alignment !== 0) {
      if (this.u8("padding") !== 0) this.fail(`non-zero padding at offset ${this.pos - 1}`);
    }
  }

  /**
   * `count` little-endian 32-bit words as a Uint32Array. Zero-copy when the bytes are 4-aligned in
   * their buffer on a little-endian host; otherwise one copy (chunks are aligned on disk, so the
   * copy only happens for callers that hand in unaligned slices).
   */
  words(count: number, what: string): Uint32Array {
    const n = count * 4;
    this.need(n, what);
    const abs = this.bytes.byteOffset + this.pos;
    let out: Uint32Array;
    if (LITTLE_ENDIAN_HOST && abs % 4 === 0) {
      out = new Uint32Array(this.bytes.buffer, abs, count);
    } else {
      out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = this.view.getUint32(this.pos + i * 4, true);
    }
    this.pos += n;
    return out;
  }

  /** Fails unless every byte was consumed. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) this.fail(`${what} has ${this.end - this.pos} unexpected trailing bytes`);
  }
}
