import { EvoDBError, crc32c } from "@evodb/core";
import { FrameReader, FrameWriter, corruptFrame } from "./bytes";
import {
  CDC_PROTOCOL_VERSION,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC_0,
  FRAME_MAGIC_1,
  FRAME_TRAILER_BYTES,
  FrameType,
  MAX_BATCH_ENTRIES,
  MAX_CREDENTIAL_BYTES,
  MAX_ERROR_MESSAGE_BYTES,
  MAX_FRAME_BYTES,
  MAX_LSN,
  MAX_SOURCE_ID_BYTES,
  MAX_TENANT_BYTES,
} from "./protocol";

/** HELLO (spec §3.1): the sender introduces itself; always the first frame of a session. */
export interface HelloFrame {
  type: "hello";
  /** Highest LSN the sender believes the receiver has acknowledged (0 = none). */
  lastAckedLsn: number;
  /** Stable id of the sending object, e.g. the edge Durable Object's id. */
  sourceId: string;
  /** Tenant the sender writes for; 1-128 characters of `[A-Za-z0-9_-]`, not starting with `-`. */
  tenant: string;
  /** Opaque credentials (a signed token, see auth.ts). */
  credentials: string;
}

/** WELCOME (spec §3.2): the receiver accepts a HELLO and says where to resume. */
export interface WelcomeFrame {
  type: "welcome";
  /** Highest LSN from this source that is durable at the receiver; resend everything above it. */
  ackedLsn: number;
  /** Batches the sender may have unacknowledged at once (spec §5). */
  creditWindow: number;
  /** Largest frame the receiver accepts, at most {@link MAX_FRAME_BYTES}. */
  maxFrameBytes: number;
}

/** BATCH (spec §3.3): consecutive WAL entries, encoded with core's WAL batch codec. */
export interface BatchFrame {
  type: "batch";
  /** LSN of the first entry. */
  firstLsn: number;
  /** LSN of the last entry; entries are consecutive in between. */
  lastLsn: number;
  /** Number of entries in `walBatch`. */
  entryCount: number;
  /** The entries, as bytes of core's WAL batch format (docs/wal.md). */
  walBatch: Uint8Array;
}

/** ACK (spec §3.4): every LSN at or below `ackedLsn` is durable at the receiver (cumulative). */
export interface AckFrame {
  type: "ack";
  ackedLsn: number;
  /** The credit window from now on (it may shrink or grow). */
  creditWindow: number;
}

/** ERROR (spec §3.5): why the sender of this frame is about to close the socket. */
export interface ErrorFrame {
  type: "error";
  /** One of `CloseCode` (protocol.ts); the close that follows carries the same number. */
  code: number;
  message: string;
}

/** PING / PONG (spec §3.6): an in-band liveness probe answered with the same nonce. */
export interface PingFrame {
  type: "ping" | "pong";
  nonce: number;
}

/** Any frame of protocol version 1. */
export type Frame = HelloFrame | WelcomeFrame | BatchFrame | AckFrame | ErrorFrame | PingFrame;

const TENANT_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/;

/**
 * True when `tenant` is a valid tenant name (spec §3.1): 1-128 characters of `[A-Za-z0-9_-]`, not
 * starting with `-`, so it is also a valid lakehouse path segment (docs/lakehouse.md, "Names").
 */
export function isValidTenant(tenant: string): boolean {
  return TENANT_PATTERN.test(tenant);
}

function checkLsn(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_LSN) {
    throw new EvoDBError("INVALID_ARGUMENT", `${field} must be an integer in [0, 2^53 - 1], got ${value}`);
  }
}

function checkStringBytes(value: string, max: number, field: string): void {
  const length = new TextEncoder().encode(value).length;
  if (length > max) throw new EvoDBError("INVALID_ARGUMENT", `${field} is ${length} UTF-8 bytes; the limit is ${max}`);
}

function writePayload(out: FrameWriter, frame: Frame): number {
  switch (frame.type) {
    case "hello":
      checkLsn(frame.lastAckedLsn, "lastAckedLsn");
      checkStringBytes(frame.sourceId, MAX_SOURCE_ID_BYTES, "sourceId");
      if (frame.sourceId.length === 0) throw new EvoDBError("INVALID_ARGUMENT", "sourceId must not be empty");
      if (!isValidTenant(frame.tenant)) {
        throw new EvoDBError("INVALID_NAME", `tenant "${frame.tenant}" must be 1-128 characters of [A-Za-z0-9_-], not starting with '-'`);
      }
      checkStringBytes(frame.credentials, MAX_CREDENTIAL_BYTES, "credentials");
      out.lsn(frame.lastAckedLsn);
      out.str16(frame.sourceId);
      out.str16(frame.tenant);
      out.str16(frame.credentials);
      return FrameType.Hello;
    case "welcome":
      checkLsn(frame.ackedLsn, "ackedLsn");
      out.lsn(frame.ackedLsn);
      out.u16(frame.creditWindow);
      out.u32(frame.maxFrameBytes);
      return FrameType.Welcome;
    case "batch":
      checkLsn(frame.firstLsn, "firstLsn");
      checkLsn(frame.lastLsn, "lastLsn");
      if (frame.entryCount < 1 || frame.entryCount > MAX_BATCH_ENTRIES || frame.lastLsn - frame.firstLsn !== frame.entryCount - 1) {
        throw new EvoDBError("INVALID_ARGUMENT", `a batch needs 1..${MAX_BATCH_ENTRIES} entries with consecutive LSNs (lastLsn - firstLsn = entryCount - 1)`);
      }
      out.lsn(frame.firstLsn);
      out.lsn(frame.lastLsn);
      out.u32(frame.entryCount);
      out.bytes(frame.walBatch);
      return FrameType.Batch;
    case "ack":
      checkLsn(frame.ackedLsn, "ackedLsn");
      out.lsn(frame.ackedLsn);
      out.u16(frame.creditWindow);
      return FrameType.Ack;
    case "error":
      checkStringBytes(frame.message, MAX_ERROR_MESSAGE_BYTES, "error message");
      out.u16(frame.code);
      out.str16(frame.message);
      return FrameType.Error;
    case "ping":
    case "pong":
      out.u32(frame.nonce);
      return frame.type === "ping" ? FrameType.Ping : FrameType.Pong;
  }
}

/**
 * Encodes one frame (spec §2): magic "EC", version, type, u32 payload length, payload, CRC-32C of
 * everything before it. Throws INVALID_ARGUMENT / LIMIT_EXCEEDED for frames this side must not send.
 */
export function encodeFrame(frame: Frame): Uint8Array {
  const out = new FrameWriter();
  out.u8(FRAME_MAGIC_0);
  out.u8(FRAME_MAGIC_1);
  out.u8(CDC_PROTOCOL_VERSION);
  out.u8(0); // type, patched below once the payload is written
  out.u32(0); // payload length, patched below
  const type = writePayload(out, frame);
  const payloadLength = out.length - FRAME_HEADER_BYTES;
  out.u32(0); // CRC placeholder
  const bytes = out.finish();
  bytes[3] = type;
  out.patchU32(4, payloadLength);
  if (bytes.length > MAX_FRAME_BYTES) {
    throw new EvoDBError(
      "LIMIT_EXCEEDED",
      `CDC frame of ${bytes.length} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit; send fewer entries per batch`,
      { details: { frameBytes: bytes.length, maxFrameBytes: MAX_FRAME_BYTES } },
    );
  }
  out.patchU32(bytes.length - FRAME_TRAILER_BYTES, crc32c(bytes, 0, bytes.length - FRAME_TRAILER_BYTES));
  return bytes;
}

/** Reads the envelope checks of spec §2 in their normative order, returning the type byte. */
function checkEnvelope(bytes: Uint8Array, maxFrameBytes: number): number {
  if (bytes.length < FRAME_HEADER_BYTES + FRAME_TRAILER_BYTES) {
    corruptFrame(`frame truncated: ${bytes.length} bytes is shorter than the 12-byte minimum`);
  }
  if (bytes[0] !== FRAME_MAGIC_0 || bytes[1] !== FRAME_MAGIC_1) corruptFrame("bad magic (not an EvoDB CDC frame)");
  // Version before checksum: a later version may lay the frame out differently, and the peer
  // deserves UNSUPPORTED_VERSION rather than a misleading checksum error.
  const version = bytes[2]!;
  if (version !== CDC_PROTOCOL_VERSION) {
    throw new EvoDBError(
      "UNSUPPORTED_VERSION",
      `CDC protocol version ${version} is not supported (this build speaks ${CDC_PROTOCOL_VERSION}); upgrade the older side`,
      { details: { version, supported: [CDC_PROTOCOL_VERSION] } },
    );
  }
  if (bytes.length > maxFrameBytes) {
    corruptFrame(`frame of ${bytes.length} bytes exceeds the ${maxFrameBytes}-byte limit`, { oversized: true });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payloadLength = view.getUint32(4, true);
  if (payloadLength !== bytes.length - FRAME_HEADER_BYTES - FRAME_TRAILER_BYTES) {
    corruptFrame(`declared payload length ${payloadLength} does not match the ${bytes.length}-byte message`);
  }
  const stored = view.getUint32(bytes.length - FRAME_TRAILER_BYTES, true);
  const actual = crc32c(bytes, 0, bytes.length - FRAME_TRAILER_BYTES);
  if (stored !== actual) corruptFrame("checksum mismatch", { stored, actual });
  return bytes[3]!;
}

/**
 * Decodes one WebSocket message into a frame. Every malformed input (truncated, wrong magic,
 * oversized, bad checksum, bad layout, trailing bytes, invalid UTF-8) throws an `EvoDBError` with
 * code CORRUPT_FRAME; a different protocol version throws UNSUPPORTED_VERSION. Never returns a
 * partially read frame. The batch's WAL bytes are returned as a view into `bytes`.
 */
export function decodeFrame(bytes: Uint8Array, maxFrameBytes: number = MAX_FRAME_BYTES): Frame {
  const type = checkEnvelope(bytes, maxFrameBytes);
  const reader = new FrameReader(bytes, FRAME_HEADER_BYTES, bytes.length - FRAME_TRAILER_BYTES);
  let frame: Frame;
  switch (type) {
    case FrameType.Hello: {
      const lastAckedLsn = reader.lsn("lastAckedLsn");
      const sourceId = reader.str16("sourceId", MAX_SOURCE_ID_BYTES);
      const tenant = reader.str16("tenant", MAX_TENANT_BYTES);
      const credentials = reader.str16("credentials", MAX_CREDENTIAL_BYTES);
      if (sourceId.length === 0) corruptFrame("empty sourceId in HELLO");
      if (!isValidTenant(tenant)) corruptFrame("tenant in HELLO is not 1-128 characters of [A-Za-z0-9_-] starting with a letter, digit or '_'");
      frame = { type: "hello", lastAckedLsn, sourceId, tenant, credentials };
      break;
    }
    case FrameType.Welcome: {
      const ackedLsn = reader.lsn("ackedLsn");
      const creditWindow = reader.u16("creditWindow");
      const maxFrameBytes = reader.u32("maxFrameBytes");
      if (creditWindow < 1) corruptFrame("WELCOME with a credit window of 0");
      frame = { type: "welcome", ackedLsn, creditWindow, maxFrameBytes };
      break;
    }
    case FrameType.Batch: {
      const firstLsn = reader.lsn("firstLsn");
      const lastLsn = reader.lsn("lastLsn");
      const entryCount = reader.u32("entryCount");
      if (entryCount < 1 || entryCount > MAX_BATCH_ENTRIES) {
        corruptFrame(`batch declares ${entryCount} entries; allowed 1..${MAX_BATCH_ENTRIES}`, { oversized: entryCount > 0 });
      }
      // A source's LSNs are consecutive (spec §3.3), so the range is exactly the entry count.
      if (lastLsn - firstLsn !== entryCount - 1) {
        corruptFrame(`batch LSN range [${firstLsn}, ${lastLsn}] does not hold exactly ${entryCount} consecutive entries`);
      }
      frame = { type: "batch", firstLsn, lastLsn, entryCount, walBatch: reader.rest() };
      break;
    }
    case FrameType.Ack: {
      const ackedLsn = reader.lsn("ackedLsn");
      const creditWindow = reader.u16("creditWindow");
      frame = { type: "ack", ackedLsn, creditWindow };
      break;
    }
    case FrameType.Error: {
      const code = reader.u16("code");
      const message = reader.str16("message", MAX_ERROR_MESSAGE_BYTES);
      frame = { type: "error", code, message };
      break;
    }
    case FrameType.Ping:
    case FrameType.Pong:
      frame = { type: type === FrameType.Ping ? "ping" : "pong", nonce: reader.u32("nonce") };
      break;
    default:
      return corruptFrame(`unknown frame type 0x${type.toString(16).padStart(2, "0")}`);
  }
  reader.done(frame.type);
  return frame;
}
