import { ByteReader, ByteWriter, EvoDBError } from "@evodb/core";
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

/** core's ByteWriter plus the two field shapes of CDC frames: u64 LSNs and u16-length strings. */
export class FrameWriter extends ByteWriter {
  constructor() {
    // Frames are small apart from the batch payload, so doubling from 64 bytes costs little.
    super(64);
  }

  /** An LSN as u64 (low word first); the caller has validated 0 <= value <= 2^53 - 1. */
  lsn(value: number): void {
    this.u32(value % 0x1_0000_0000);
    this.u32(Math.floor(value / 0x1_0000_0000));
  }

  /** A string as u16 byte length + UTF-8 bytes. */
  str16(value: string): void {
    const encoded = utf8Encoder.encode(value);
    this.u16(encoded.length);
    this.bytes(encoded);
  }

  /** The written bytes as a view, so `patchU32` after it still shows in them. */
  override finish(): Uint8Array {
    return this.subarray();
  }
}

/**
 * core's bounds-checked ByteReader, failing with CORRUPT_FRAME instead of CORRUPT_BLOCK, so a
 * truncated or lying frame ends in CORRUPT_FRAME and never in a RangeError.
 */
export class FrameReader extends ByteReader {
  protected override fail(message: string): never {
    return corruptFrame(message, { offset: this.pos });
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
    const slice = this.take(length, field);
    try {
      return utf8Decoder.decode(slice);
    } catch (cause) {
      return corruptFrame(`${field} is not valid UTF-8`, { cause: String(cause) });
    }
  }

  /** The rest of the payload (a view). */
  rest(): Uint8Array {
    return this.take(this.remaining, "payload");
  }

  /** Asserts that every payload byte was consumed: trailing bytes mean a layout we do not know. */
  done(frameName: string): void {
    this.expectEnd(frameName);
  }
}
