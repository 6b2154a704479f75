import { EvoDBError } from "@evodb/core";
import { MAX_LSN } from "./protocol";

const utf8Encoder = new TextEncoder();
// `fatal` so invalid UTF-8 in a hostile frame is an error, not a silently replaced string.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Throws the error every malformed frame produces (spec §6): CORRUPT_FRAME with the reason. */
export function corruptFrame(reason: string, details: Record<string, unknown> = {}): never {
  throw new EvoDBError(
    "CORRUPT_FRAME",
    `CDC frame rejected: ${reason}. The connection must be closed and nothing from this frame written; the sender should reconnect and resend from the last acknowledged LSN.`,
    { details: { reason, ...details } },
  );
}

/**
 * Appends little-endian fields to a growing buffer. Used only to build frames, which are small
 * apart from the batch payload, so the doubling growth costs little.
 */
export class FrameWriter {
  private buffer = new Uint8Array(64);
  private view = new DataView(this.buffer.buffer);
  /** Bytes written so far. */
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.ensure(1);
    this.buffer[this.length++] = value;
  }

  u16(value: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  u32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, value >>> 0, true);
    this.length += 4;
  }

  /** An LSN as u64 (low word first); the caller has validated 0 <= value <= 2^53 - 1. */
  lsn(value: number): void {
    this.u32(value % 0x1_0000_0000);
    this.u32(Math.floor(value / 0x1_0000_0000));
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** A string as u16 byte length + UTF-8 bytes. */
  str16(value: string): void {
    const encoded = utf8Encoder.encode(value);
    this.u16(encoded.length);
    this.bytes(encoded);
  }

  /** Overwrites a u32 already written at `offset`. */
  patchU32(offset: number, value: number): void {
    this.view.setUint32(offset, value >>> 0, true);
  }

  /** The written bytes (a view, not a copy). */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * Reads little-endian fields with a bounds check before every read, so a truncated or lying
 * frame ends in CORRUPT_FRAME and never in a RangeError.
 */
export class FrameReader {
  private readonly view: DataView;
  offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = start;
  }

  /** Bytes left before the end of the payload. */
  get remaining(): number {
    return this.end - this.offset;
  }

  private need(count: number, field: string): void {
    if (this.end - this.offset < count) corruptFrame(`payload truncated while reading ${field}`, { offset: this.offset });
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const value = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return value;
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  /** A u64 LSN; values above 2^53 - 1 are refused rather than rounded. */
  lsn(field: string): number {
    const low = this.u32(field);
    const high = this.u32(field);
    const value = high * 0x1_0000_0000 + low;
    if (value > MAX_LSN) corruptFrame(`${field} exceeds 2^53 - 1`, { high, low });
    return value;
  }

  /** A u16-length UTF-8 string of at most `maxBytes` bytes. */
  str16(field: string, maxBytes: number): string {
    const length = this.u16(field);
    if (length > maxBytes) corruptFrame(`${field} is ${length} bytes, more than the limit of ${maxBytes}`);
    this.need(length, field);
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    try {
      return utf8Decoder.decode(slice);
    } catch (cause) {
      return corruptFrame(`${field} is not valid UTF-8`, { cause: String(cause) });
    }
  }

  /** The next `count` bytes (a view). */
  take(count: number, field: string): Uint8Array {
    this.need(count, field);
    const slice = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  /** The rest of the payload (a view). */
  rest(): Uint8Array {
    const slice = this.bytes.subarray(this.offset, this.end);
    this.offset = this.end;
    return slice;
  }

  /** Asserts that every payload byte was consumed: trailing bytes mean a layout we do not know. */
  done(frameName: string): void {
    if (this.offset !== this.end) corruptFrame(`${this.end - this.offset} unexpected trailing bytes in ${frameName}`);
  }
}
