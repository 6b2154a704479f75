/**
 * Constants of the CDC frame protocol, version 1. The normative text is docs/cdc-protocol.md; the
 * section numbers in these comments refer to it. Changing any value here is a protocol change:
 * bump {@link CDC_PROTOCOL_VERSION} and the spec together.
 */

/** The only protocol version this build speaks (spec §2). Receivers refuse any other version. */
export const CDC_PROTOCOL_VERSION = 1;

/** First two bytes of every frame: ASCII "EC" (EvoDB CDC), spec §2. */
export const FRAME_MAGIC_0 = 0x45;
/** Second magic byte, ASCII "C". */
export const FRAME_MAGIC_1 = 0x43;

/** Header (magic, version, type, payload length) = 8 bytes; trailer (CRC-32C) = 4 bytes (spec §2). */
export const FRAME_HEADER_BYTES = 8;
/** Size of the CRC-32C trailer. */
export const FRAME_TRAILER_BYTES = 4;

/**
 * Largest frame either side sends or accepts: 4 MiB, 8x below the 32 MiB WebSocket message cap of
 * Durable Objects (developers.cloudflare.com/durable-objects/platform/limits), so a batch frame plus
 * its decoded entries stays far from the 128 MB isolate memory limit (spec §4).
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** Most WAL entries in one batch frame (spec §4). */
export const MAX_BATCH_ENTRIES = 4096;

/**
 * Credit window: how many batch frames a sender may have unacknowledged at once (spec §5). The
 * writer announces the window in WELCOME and ACK; 8 x 4 MiB bounds the bytes in flight to 32 MiB.
 */
export const DEFAULT_CREDIT_WINDOW = 8;

/** Bounds on the strings of a HELLO frame, in UTF-8 bytes (spec §3.1). */
export const MAX_SOURCE_ID_BYTES = 256;
/** Tenant names: 1..128 bytes, `[A-Za-z0-9_-]` only (spec §3.1), so they are safe in R2 paths. */
export const MAX_TENANT_BYTES = 128;
/** Credentials (token or shared secret), 0..1024 bytes. */
export const MAX_CREDENTIAL_BYTES = 1024;
/** Error messages, 0..1024 bytes. */
export const MAX_ERROR_MESSAGE_BYTES = 1024;

/** Largest LSN: LSNs are JavaScript numbers on both sides, so they stay at or below 2^53 - 1. */
export const MAX_LSN = Number.MAX_SAFE_INTEGER;

/** Frame type byte (spec §3). */
export const FrameType = {
  Hello: 0x01,
  Welcome: 0x02,
  Batch: 0x03,
  Ack: 0x04,
  Error: 0x05,
  Ping: 0x06,
  Pong: 0x07,
} as const;

/** One of the values of {@link FrameType}. */
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

/**
 * WebSocket close codes (application range 4000-4999, RFC 6455 §7.4.2). The same number travels
 * in an ERROR frame before the close, so a client that only sees the close (the frame can be lost
 * when the socket dies) still knows why (spec §6).
 */
export const CloseCode = {
  /** Normal end: the sender has nothing more to send (idle close). */
  Normal: 1000,
  /** Truncated, bad magic, bad checksum, bad layout, LSN going backwards, credit window exceeded. */
  CorruptFrame: 4400,
  /** Missing or wrong credentials. */
  Unauthorized: 4401,
  /** Valid credentials used for something that belongs to another tenant. */
  Forbidden: 4403,
  /** A frame other than HELLO before the session is open, or HELLO twice. */
  ProtocolViolation: 4409,
  /** A frame larger than {@link MAX_FRAME_BYTES} or a batch with too many entries. */
  FrameTooLarge: 4413,
  /** A protocol version this side does not speak. */
  UnsupportedVersion: 4426,
  /** The receiver failed while handling a valid frame; the sender should retry later. */
  InternalError: 4500,
} as const;

/** One of the values of {@link CloseCode}. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * The text keep-alive (spec §7). It is deliberately not a binary frame: workerd's
 * `setWebSocketAutoResponse` matches text messages only, and answering it must not wake a
 * hibernated writer. Each side may send it at any time after the socket opens.
 */
export const KEEPALIVE_REQUEST = "evodb-cdc-ping";
/** The auto-response to {@link KEEPALIVE_REQUEST}. */
export const KEEPALIVE_RESPONSE = "evodb-cdc-pong";
