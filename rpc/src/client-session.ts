import { EvoDBError, isEvoDBError } from "@evodb/core";
import { decodeFrame, encodeFrame, type HelloFrame } from "./frame";
import { closeAction, closeCodeForError } from "./server-session";
import { CloseCode, KEEPALIVE_RESPONSE, MAX_FRAME_BYTES } from "./protocol";

/** What the sender must do after {@link ClientSession.receive}. */
export type ClientAction =
  /** The writer accepted the HELLO: drop entries up to `ackedLsn`, send from `resumeAfter + 1`. */
  | { kind: "open"; ackedLsn: number; resumeAfter: number }
  /** Entries up to `ackedLsn` are durable at the writer: they may be trimmed. */
  | { kind: "acked"; ackedLsn: number }
  /** Send `reply` (a PONG). */
  | { kind: "reply"; reply: Uint8Array }
  | { kind: "none" }
  /** The writer refused or broke the protocol: close with `code` (and send `reply` if present). */
  | { kind: "close"; code: number; reason: string; reply?: Uint8Array };

/**
 * The sending (edge) side of one CDC connection as a pure state machine (spec §5). The caller
 * sends {@link hello}, waits for `open`, then sends batches while {@link canSend} and reports each
 * with {@link sent}.
 */
export class ClientSession {
  private phase: "awaiting-welcome" | "open" | "closed" = "awaiting-welcome";
  private ackedLsn: number;
  private lastSentLsn: number;
  private readonly inFlightLastLsns: number[] = [];
  private creditWindow = 1;
  private peerMaxFrameBytes = MAX_FRAME_BYTES;

  constructor(private readonly hello: HelloFrame) {
    this.ackedLsn = hello.lastAckedLsn;
    this.lastSentLsn = hello.lastAckedLsn;
  }

  /** The HELLO frame to send first. */
  helloFrame(): Uint8Array {
    return encodeFrame(this.hello);
  }

  /** True when the session is open and the credit window has room for one more batch. */
  canSend(): boolean {
    return this.phase === "open" && this.inFlightLastLsns.length < this.creditWindow;
  }

  /** Highest LSN the writer acknowledged. */
  get acked(): number {
    return this.ackedLsn;
  }

  /** Highest LSN sent so far. */
  get sentThrough(): number {
    return this.lastSentLsn;
  }

  /** Largest frame the writer accepts (from WELCOME). */
  get maxFrameBytes(): number {
    return this.peerMaxFrameBytes;
  }

  /** True when every sent batch is acknowledged. */
  get idle(): boolean {
    return this.inFlightLastLsns.length === 0;
  }

  /** Records that a batch covering `[firstLsn, lastLsn]` was sent. */
  sent(firstLsn: number, lastLsn: number): void {
    if (!this.canSend()) throw new EvoDBError("INTERNAL", "sent() without credit; check canSend() first");
    if (firstLsn !== this.lastSentLsn + 1 || lastLsn < firstLsn) {
      throw new EvoDBError("INTERNAL", `batch [${firstLsn}, ${lastLsn}] does not follow LSN ${this.lastSentLsn} without a gap`);
    }
    this.lastSentLsn = lastLsn;
    this.inFlightLastLsns.push(lastLsn);
  }

  private close(code: number, reason: string): ClientAction {
    this.phase = "closed";
    return closeAction(code, reason);
  }

  /** Handles one message from the writer. Never throws for hostile input. */
  receive(message: ArrayBuffer | Uint8Array | string): ClientAction {
    if (this.phase === "closed") return { kind: "none" };
    if (typeof message === "string") {
      if (message === KEEPALIVE_RESPONSE) return { kind: "none" };
      return this.close(CloseCode.CorruptFrame, "unexpected text message from the writer");
    }
    let frame;
    try {
      frame = decodeFrame(message instanceof Uint8Array ? message : new Uint8Array(message));
    } catch (error) {
      if (!isEvoDBError(error)) throw error;
      return this.close(closeCodeForError(error), error.message);
    }
    switch (frame.type) {
      case "welcome": {
        if (this.phase !== "awaiting-welcome") return this.close(CloseCode.ProtocolViolation, "WELCOME twice");
        this.phase = "open";
        this.creditWindow = frame.creditWindow;
        this.peerMaxFrameBytes = Math.min(frame.maxFrameBytes, MAX_FRAME_BYTES);
        // If the writer knows less than we do, it lost state we can no longer resend (we trimmed
        // it after its ACK); continue after our own mark rather than send a gap backwards.
        const resumeAfter = Math.max(frame.ackedLsn, this.ackedLsn);
        this.ackedLsn = resumeAfter;
        this.lastSentLsn = resumeAfter;
        return { kind: "open", ackedLsn: frame.ackedLsn, resumeAfter };
      }
      case "ack": {
        if (this.phase !== "open") return this.close(CloseCode.ProtocolViolation, "ACK before WELCOME");
        if (frame.ackedLsn < this.ackedLsn || frame.ackedLsn > this.lastSentLsn) {
          return this.close(CloseCode.CorruptFrame, `ACK ${frame.ackedLsn} outside [${this.ackedLsn}, ${this.lastSentLsn}]`);
        }
        this.ackedLsn = frame.ackedLsn;
        while (this.inFlightLastLsns.length > 0 && this.inFlightLastLsns[0]! <= frame.ackedLsn) this.inFlightLastLsns.shift();
        this.creditWindow = Math.max(1, frame.creditWindow);
        return { kind: "acked", ackedLsn: frame.ackedLsn };
      }
      case "ping":
        return { kind: "reply", reply: encodeFrame({ type: "pong", nonce: frame.nonce }) };
      case "pong":
        return { kind: "none" };
      case "error":
        this.phase = "closed";
        return { kind: "close", code: frame.code, reason: frame.message };
      default:
        return this.close(CloseCode.ProtocolViolation, `${frame.type.toUpperCase()} is sent to the writer, not by it`);
    }
  }
}
