import { EvoDBError } from "@evodb/core";
import { encodeBatchFrame } from "./batch";
import { ClientSession } from "./client-session";
import type { HelloFrame } from "./frame";
import type { EdgeStore } from "./edge-store";
import { CloseCode, FRAME_HEADER_BYTES, FRAME_TRAILER_BYTES, MAX_BATCH_ENTRIES } from "./protocol";

/** Target size of one batch: big enough to amortise a round trip, small beside the 4 MiB frame cap. */
const TARGET_BATCH_BYTES = 512 * 1024;
/** Give up on a connection that makes no progress for this long (the alarm retries). */
const STALL_TIMEOUT_MS = 15_000;
/**
 * How long a drained session stays open for the next write. A client posting batches one after
 * another writes every few tens of milliseconds; closing at once made every request pay a new
 * socket, HELLO, token signature and check, and WELCOME. Short, because an open outgoing socket
 * keeps the object in memory.
 */
const LINGER_MS = 1000;
/** A session older than this closes as soon as it is drained, so one alarm run stays short. */
const MAX_SESSION_MS = 60_000;

/**
 * Sends the edge object's unacknowledged WAL entries to the writer over one WebSocket, then closes
 * it. Why connect on demand: an *outgoing* WebSocket keeps its Durable Object in memory (only
 * sockets the object accepted can hibernate), so a permanently open connection would bill every
 * idle tenant for wall time. The pump therefore opens a socket only when the WAL has entries,
 * drains the WAL (including entries written while it runs), and closes the socket when every entry
 * is acknowledged and no write came for {@link LINGER_MS} ({@link notify} hands it new writes).
 * The alarm that runs it retries with backoff when anything fails.
 */
export class CdcPump {
  /** Sends entries written since the last call, when the session is open; set while {@link drain} runs. */
  private wake: (() => void) | null = null;

  constructor(
    private readonly store: EdgeStore,
    private readonly connect: () => Promise<WebSocket>,
    private readonly hello: () => Promise<HelloFrame>,
  ) {}

  /** Drains the WAL; resolves when every entry is acknowledged, rejects on any failure. */
  async drain(): Promise<void> {
    if (this.store.pendingCount() === 0) return;
    const hello = await this.hello();
    const ws = await this.connect();
    // With compatibility dates from 2026 on, workerd delivers binary messages as Blob (the web
    // standard default) unless asked otherwise; frames are decoded synchronously from bytes.
    ws.binaryType = "arraybuffer";
    ws.accept();
    const session = new ClientSession({ ...hello, lastAckedLsn: this.store.ackedLsn() });
    try {
      await this.run(ws, session);
      ws.close(CloseCode.Normal, "drained");
    } catch (error) {
      try {
        ws.close(CloseCode.Normal, "retrying later");
      } catch {
        // The socket is already closed; the error below says why.
      }
      throw error;
    }
  }

  /** Tells a running pump that new entries are in the WAL (a no-op when none runs). */
  notify(): void {
    this.wake?.();
  }

  private run(ws: WebSocket, session: ClientSession): Promise<void> {
    const started = Date.now();
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let linger: ReturnType<typeof setTimeout> | undefined;
      const finish = (error?: EvoDBError): void => {
        clearTimeout(timer);
        clearTimeout(linger);
        this.wake = null;
        if (error) reject(error);
        else resolve();
      };
      const armStallTimer = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(new EvoDBError("TIMEOUT", `the CDC writer made no progress for ${STALL_TIMEOUT_MS} ms`)), STALL_TIMEOUT_MS);
      };
      const sendMore = (): void => {
        const maxBytes = Math.min(TARGET_BATCH_BYTES, session.maxFrameBytes - FRAME_HEADER_BYTES - FRAME_TRAILER_BYTES - 64);
        const wasIdle = session.idle;
        while (session.canSend()) {
          const entries = this.store.entriesAfter(session.sentThrough, MAX_BATCH_ENTRIES, maxBytes);
          if (entries.length === 0) break;
          ws.send(encodeBatchFrame(entries));
          session.sent(entries[0]!.lsn, entries[entries.length - 1]!.lsn);
        }
        if (!session.idle) {
          clearTimeout(linger);
          linger = undefined;
          // The stall clock runs from the last message; after a linger it must run from this send.
          if (wasIdle) armStallTimer();
          return;
        }
        // Entries written while we waited for ACKs were picked up above; stop only when none are
        // left and no write came during the linger (or the session is old enough to hand over).
        if (this.store.entriesAfter(session.sentThrough, 1, Number.MAX_SAFE_INTEGER).length > 0) return;
        if (Date.now() - started >= MAX_SESSION_MS) finish();
        else if (linger === undefined) linger = setTimeout(() => finish(), LINGER_MS);
      };
      this.wake = () => {
        if (session.canSend()) sendMore();
      };
      ws.addEventListener("message", (event: MessageEvent) => {
        armStallTimer();
        const action = session.receive(event.data as ArrayBuffer | string);
        switch (action.kind) {
          case "open":
            this.store.acknowledge(action.resumeAfter);
            sendMore();
            break;
          case "acked":
            this.store.acknowledge(action.ackedLsn);
            sendMore();
            break;
          case "reply":
            ws.send(action.reply);
            break;
          case "close":
            if (action.reply) ws.send(action.reply);
            finish(new EvoDBError(action.code === CloseCode.Unauthorized ? "UNAUTHORIZED" : "CORRUPT_FRAME", `CDC writer closed the session (${action.code}): ${action.reason}`, { details: { closeCode: action.code } }));
            break;
          case "none":
            break;
        }
      });
      ws.addEventListener("close", (event: CloseEvent) => {
        // Closed while lingering with everything acknowledged: nothing was lost, the session is just over.
        if (linger !== undefined) return finish();
        finish(new EvoDBError(event.code === CloseCode.Unauthorized ? "UNAUTHORIZED" : "STORAGE_ERROR", `CDC socket closed by the writer (${event.code} ${event.reason}) before every entry was acknowledged`, { details: { closeCode: event.code } }));
      });
      ws.addEventListener("error", () => finish(new EvoDBError("STORAGE_ERROR", "CDC socket error; will retry")));
      armStallTimer();
      ws.send(session.helloFrame());
    });
  }
}
