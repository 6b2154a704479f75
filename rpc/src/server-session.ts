import { EvoDBError, isEvoDBError } from "@evodb/core";
import { decodeFrame, encodeFrame, type BatchFrame, type HelloFrame } from "./frame";
import { CloseCode, DEFAULT_CREDIT_WINDOW, KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE, MAX_FRAME_BYTES } from "./protocol";

/**
 * The receiving (writer) side of one CDC connection as a pure state machine (spec §5). It holds
 * only plain data, so a Durable Object can keep it in the socket's attachment across hibernation
 * (`ws.serializeAttachment(session.state)`, well under the 2,048-byte limit) and rebuild it on the
 * next message. It never touches storage: it tells the caller what to do, and the caller reports
 * back (`accept`, `acknowledge`).
 */
export interface ServerSessionState {
  /** awaiting-hello → authenticating → open → closed (spec §5.1). */
  phase: "awaiting-hello" | "authenticating" | "open" | "closed";
  sourceId: string;
  tenant: string;
  /** Highest LSN of this source that is durable at the receiver (what ACKs say). */
  durableLsn: number;
  /** Highest LSN received and handed to the caller for persistence. */
  receivedLsn: number;
  /** Batches handed to the caller and not yet acknowledged. */
  inFlight: number;
  creditWindow: number;
}

/** What the caller must do after {@link ServerSession.receive}. */
export type ServerAction<Entry> =
  /** Authenticate `hello`, then call `accept(durableLsn)` and send the reply, or `reject(...)`. */
  | { kind: "authenticate"; hello: HelloFrame }
  /** Persist `entries` (all have LSN > the previous batch), then call `acknowledge(batch.lastLsn)` and send the reply. */
  | { kind: "persist"; batch: BatchFrame; entries: Entry[] }
  /** Send `reply` (a PONG, a keep-alive answer or the ACK for a retransmitted batch) and write nothing. */
  | { kind: "reply"; reply: Uint8Array | string }
  /** Nothing to do (a PONG arrived). */
  | { kind: "none" }
  /** Send `reply` (an ERROR frame, may be absent), close the socket with `code`, write nothing (spec §6). */
  | { kind: "close"; code: number; reason: string; reply?: Uint8Array };

/** Decodes and validates the entries of a batch frame; throws CORRUPT_FRAME when they do not match it. */
export type BatchEntryDecoder<Entry> = (batch: BatchFrame) => Entry[];

/** Maps a decode error to the close code of spec §6. */
export function closeCodeForError(error: unknown): number {
  if (isEvoDBError(error, "UNSUPPORTED_VERSION")) return CloseCode.UnsupportedVersion;
  if (isEvoDBError(error, "UNAUTHORIZED")) return CloseCode.Unauthorized;
  if (isEvoDBError(error, "FORBIDDEN") || isEvoDBError(error, "INVALID_NAME")) return CloseCode.Forbidden;
  if (isEvoDBError(error, "CORRUPT_FRAME")) return error.details?.["oversized"] === true ? CloseCode.FrameTooLarge : CloseCode.CorruptFrame;
  return CloseCode.InternalError;
}

/** A close action with an ERROR frame explaining it. */
export function closeAction(code: number, reason: string): { kind: "close"; code: number; reason: string; reply: Uint8Array } {
  // WebSocket close reasons are limited to 123 bytes (RFC 6455 §5.5); the ERROR frame has the full text.
  return { kind: "close", code, reason: reason.slice(0, 120), reply: encodeFrame({ type: "error", code, message: reason.slice(0, 1000) }) };
}

/** The writer side of the protocol. */
export class ServerSession<Entry> {
  readonly state: ServerSessionState;

  constructor(
    private readonly decodeEntries: BatchEntryDecoder<Entry>,
    state?: ServerSessionState,
    private readonly maxFrameBytes: number = MAX_FRAME_BYTES,
  ) {
    this.state = state ?? {
      phase: "awaiting-hello",
      sourceId: "",
      tenant: "",
      durableLsn: 0,
      receivedLsn: 0,
      inFlight: 0,
      creditWindow: DEFAULT_CREDIT_WINDOW,
    };
  }

  private close(code: number, reason: string): ServerAction<Entry> {
    this.state.phase = "closed";
    return closeAction(code, reason);
  }

  /** Handles one WebSocket message. Never throws for hostile input: it returns a close action. */
  receive(message: ArrayBuffer | Uint8Array | string): ServerAction<Entry> {
    if (this.state.phase === "closed") return { kind: "none" };
    if (typeof message === "string") {
      // Normally answered by the runtime's auto-response without waking us (spec §7).
      if (message === KEEPALIVE_REQUEST) return { kind: "reply", reply: KEEPALIVE_RESPONSE };
      return this.close(CloseCode.CorruptFrame, "text message that is not the keep-alive; frames are binary");
    }
    let frame;
    try {
      frame = decodeFrame(message instanceof Uint8Array ? message : new Uint8Array(message), this.maxFrameBytes);
    } catch (error) {
      if (!isEvoDBError(error)) throw error;
      return this.close(closeCodeForError(error), error.message);
    }
    switch (frame.type) {
      case "hello":
        if (this.state.phase !== "awaiting-hello") return this.close(CloseCode.ProtocolViolation, "HELLO sent twice");
        this.state.phase = "authenticating";
        this.state.sourceId = frame.sourceId;
        this.state.tenant = frame.tenant;
        // Remembered for accept(): entries at or below it were acknowledged in an earlier session.
        this.state.receivedLsn = frame.lastAckedLsn;
        return { kind: "authenticate", hello: frame };
      case "batch":
        if (this.state.phase !== "open") return this.close(CloseCode.ProtocolViolation, "BATCH before WELCOME; send HELLO and wait for WELCOME");
        return this.receiveBatch(frame);
      case "ping":
        return { kind: "reply", reply: encodeFrame({ type: "pong", nonce: frame.nonce }) };
      case "pong":
        return { kind: "none" };
      case "error":
        // The peer is closing; answer with a normal close and keep nothing of the session.
        this.state.phase = "closed";
        return { kind: "close", code: CloseCode.Normal, reason: `peer error ${frame.code}` };
      default:
        return this.close(CloseCode.ProtocolViolation, `${frame.type.toUpperCase()} is sent by the writer, not to it`);
    }
  }

  private receiveBatch(batch: BatchFrame): ServerAction<Entry> {
    const state = this.state;
    // An exact retransmission (spec §5.3): idempotent, answered with the cumulative ACK.
    if (batch.lastLsn <= state.receivedLsn) {
      return { kind: "reply", reply: encodeFrame({ type: "ack", ackedLsn: state.durableLsn, creditWindow: state.creditWindow }) };
    }
    if (batch.firstLsn <= state.receivedLsn) {
      return this.close(CloseCode.CorruptFrame, `LSN going backwards: batch starts at ${batch.firstLsn}, already received ${state.receivedLsn}`);
    }
    // A source's LSNs are consecutive (spec §5.3): a gap means a batch was lost on the way.
    if (batch.firstLsn !== state.receivedLsn + 1) {
      return this.close(CloseCode.CorruptFrame, `LSN gap: batch starts at ${batch.firstLsn}, expected ${state.receivedLsn + 1}`);
    }
    if (state.inFlight >= state.creditWindow) {
      return this.close(CloseCode.CorruptFrame, `credit window of ${state.creditWindow} unacknowledged batches exceeded`);
    }
    let entries: Entry[];
    try {
      entries = this.decodeEntries(batch);
    } catch (error) {
      if (!isEvoDBError(error)) throw error;
      return this.close(closeCodeForError(error), error.message);
    }
    state.receivedLsn = batch.lastLsn;
    state.inFlight++;
    return { kind: "persist", batch, entries };
  }

  /**
   * The caller authenticated the HELLO and found `durableLsn` in its storage for this source.
   * The session resumes after the larger of that and the HELLO's `lastAckedLsn` (a sender never
   * resends what it saw acknowledged; spec §3.2). Returns the WELCOME frame to send.
   */
  accept(durableLsn: number): Uint8Array {
    if (this.state.phase !== "authenticating") throw new EvoDBError("INTERNAL", `accept() in phase ${this.state.phase}`);
    const resumeAfter = Math.max(durableLsn, this.state.receivedLsn);
    this.state.phase = "open";
    this.state.durableLsn = resumeAfter;
    this.state.receivedLsn = resumeAfter;
    return encodeFrame({ type: "welcome", ackedLsn: resumeAfter, creditWindow: this.state.creditWindow, maxFrameBytes: this.maxFrameBytes });
  }

  /** The caller refuses the HELLO (bad credentials, wrong tenant): send the ERROR and close. */
  reject(code: number, reason: string): ServerAction<Entry> & { kind: "close" } {
    this.state.phase = "closed";
    return closeAction(code, reason);
  }

  /** The entries up to `lsn` are durable: returns the ACK frame to send. */
  acknowledge(lsn: number): Uint8Array {
    if (lsn < this.state.durableLsn || lsn > this.state.receivedLsn) {
      throw new EvoDBError("INTERNAL", `acknowledge(${lsn}) outside [${this.state.durableLsn}, ${this.state.receivedLsn}]`);
    }
    this.state.durableLsn = lsn;
    this.state.inFlight = Math.max(0, this.state.inFlight - 1);
    return encodeFrame({ type: "ack", ackedLsn: lsn, creditWindow: this.state.creditWindow });
  }
}
