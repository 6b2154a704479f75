import { DurableObject } from "cloudflare:workers";
import { EvoDBError, isEvoDBError } from "@evodb/core";
import { verifyCdcToken } from "./auth";
import type { HelloFrame } from "./frame";
import { decodeBatchEntries, validateTableName } from "./batch";
import { CloseCode, KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE } from "./protocol";
import { ServerSession, closeAction, closeCodeForError, type ServerAction, type ServerSessionState } from "./server-session";
import { WriterStore, type BufferedEntry, type ParkedGroup } from "./writer-store";
import type { CdcEntry } from "./batch";

/** Environment the writer reads. */
export interface CdcWriterEnv {
  /** Shared secret that signs HELLO tokens (docs/cdc-protocol.md §3.1.1); at least 16 characters. */
  EVODB_CDC_SECRET?: string;
  /** Milliseconds between a batch arriving and the flush alarm (default 1000). */
  EVODB_FLUSH_DELAY_MS?: string;
}

/** What a flush function receives. */
export interface CdcFlushInput {
  /**
   * Identifies this flush. A retry after a failure or a restart passes the same id with the same
   * entries, so the function can make its commit idempotent (e.g. record the id in the snapshot).
   */
  flushId: number;
  /** Buffered entries in arrival order; per source, LSNs increase. */
  entries: BufferedEntry[];
}

/**
 * What a flush function may return: the (tenant, table) groups it could not store. Their entries
 * stay buffered and are retried on their own schedule (0.5 s doubling to 60 s) while every other
 * group's entries are dropped from the buffer and later flushes go on without them, so one
 * failing table does not hold back the others (docs/cdc-protocol.md §11).
 */
export interface CdcFlushOutcome {
  failed: readonly { tenant: string; table: string; error?: unknown }[];
}

/**
 * Moves buffered entries to their final home (the lakehouse on R2, via `@evodb/writer`). It must
 * be idempotent per `flushId`: the writer calls it again with the same input when a previous call
 * threw or the object restarted before the entries were dropped. Resolving with nothing means every
 * entry is stored; naming groups in {@link CdcFlushOutcome.failed} keeps only theirs; throwing
 * retries the whole flush. Commits must be idempotent per (tenant, table) too: a group that
 * failed comes back in a later flush with a new id, possibly beside entries it already stored.
 */
export type CdcFlushFunction = (input: CdcFlushInput) => Promise<void | CdcFlushOutcome>;

/** Entries handed to one flush call at most. */
const MAX_ENTRIES_PER_FLUSH = 10_000;
const MAX_FLUSH_BACKOFF_MS = 60_000;

/**
 * The writer Durable Object: the receiving end of the CDC protocol. Re-export it from your
 * Worker and bind it as a SQLite-backed class (see rpc/README.md for the wrangler.jsonc snippet).
 *
 * - WebSockets use the hibernation API (`ctx.acceptWebSocket`); each socket's session state lives
 *   in its attachment, so the object can be evicted between two batches.
 * - The text keep-alive is answered by `setWebSocketAutoResponse`, so idle sockets never wake it.
 * - A batch is stored in one SQLite transaction before its ACK is sent.
 * - An alarm flushes the buffer through {@link flushFunction}; a flush in progress is recorded,
 *   so a restart in the middle repeats the same flush (same id, same entries). Tables the flush
 *   reports as failed are parked and retried on their own; the others go on.
 *
 * Subclass it and override {@link flushFunction} to connect the buffer to storage.
 */
export class CdcWriter<Env extends CdcWriterEnv = CdcWriterEnv> extends DurableObject<Env> {
  /** The durable buffer. */
  protected readonly store: WriterStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new WriterStore(ctx.storage);
    // Registered on every start: the pair is not persisted across restarts of the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE));
    // Re-arm the flush alarm: if the object died between storing a batch and setting the alarm
    // (or mid-flush), buffered entries would otherwise wait for the next batch.
    void ctx.blockConcurrencyWhile(async () => {
      if (this.store.pendingCount() > 0 && this.flushFunction() !== null && (await ctx.storage.getAlarm()) === null) {
        await ctx.storage.setAlarm(Date.now() + this.flushDelayMs());
      }
    });
  }

  /**
   * The function the alarm flushes buffered entries with; `null` (the default) keeps them
   * buffered. Override in a subclass, e.g. with `@evodb/writer`'s lakehouse flusher.
   */
  protected flushFunction(): CdcFlushFunction | null {
    return null;
  }

  /**
   * About how many bytes of documents one flush call receives (default 16 MiB): with a document
   * of up to 2 MB and the isolate's 128 MB, a flush must not load the whole buffer at once.
   */
  protected maxFlushBytes(): number {
    return 16 * 1024 * 1024;
  }

  /** Delay between a batch and its flush; batching several seconds of CDC makes fewer, larger blocks. */
  protected flushDelayMs(): number {
    const configured = Number(this.env.EVODB_FLUSH_DELAY_MS);
    return Number.isFinite(configured) && configured >= 0 ? configured : 1000;
  }

  /** HTTP entry point: only the WebSocket upgrade of the CDC protocol. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("EvoDB CDC writer: connect with a WebSocket (docs/cdc-protocol.md)", { status: 426 });
    }
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(new ServerSession<CdcEntry>(decodeBatchEntries).state);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): Promise<void> {
    const session = new ServerSession<CdcEntry>(decodeBatchEntries, ws.deserializeAttachment() as ServerSessionState);
    const action = session.receive(message);
    // Save the phase before any await, so a message that races the authentication sees it.
    ws.serializeAttachment(session.state);
    let next: ServerAction<CdcEntry>;
    try {
      // A batch is stored and acknowledged without an await in between: the pump sends up to a
      // credit window of batches back to back, and the runtime may deliver the next message at any
      // await. Had this handler awaited with its own copy of the session, it would then save that
      // stale copy over the newer one, and the next batch would see an LSN gap.
      next = action.kind === "persist" ? this.persist(session, action) : action.kind === "authenticate" ? await this.authenticate(session, action.hello) : action;
    } catch (error) {
      // A storage failure on a valid frame: tell the sender to retry later; nothing was acked.
      next = closeAction(isEvoDBError(error) ? closeCodeForError(error) : CloseCode.InternalError, error instanceof Error ? error.message : String(error));
    }
    ws.serializeAttachment(session.state);
    // The peer may have gone away while we were storing: the entries are durable, and the next
    // session's WELCOME carries what this ACK would have said.
    if (ws.readyState === WebSocket.READY_STATE_OPEN) {
      if (next.kind === "reply") ws.send(next.reply);
      if (next.kind === "close") {
        if (next.reply) ws.send(next.reply);
        ws.close(next.code, next.reason);
      }
    }
    // The runtime's output gate holds the ACK until the batch's SQLite transaction is durable. If
    // arming fails, the object is reset and its constructor re-arms the flush for the stored batch.
    if (action.kind === "persist" && next.kind === "reply") await this.armFlush();
  }

  /** Checks and stores a batch in one transaction, and returns its ACK (synchronous on purpose, see above). */
  private persist(session: ServerSession<CdcEntry>, action: ServerAction<CdcEntry> & { kind: "persist" }): ServerAction<CdcEntry> {
    for (const entry of action.entries) {
      // Entries name plain tables; the tenant comes from the HELLO (spec §8).
      if (!validateTableName(entry.table)) {
        return session.reject(CloseCode.Forbidden, `table "${entry.table.slice(0, 80)}" is not a plain table name of tenant ${session.state.tenant}`);
      }
    }
    this.store.persist(session.state.tenant, session.state.sourceId, action.entries, action.batch.lastLsn);
    return { kind: "reply", reply: session.acknowledge(action.batch.lastLsn) };
  }

  /** Checks the HELLO's token and returns the WELCOME, or the refusal. */
  private async authenticate(session: ServerSession<CdcEntry>, hello: HelloFrame): Promise<ServerAction<CdcEntry>> {
    const secret = this.env.EVODB_CDC_SECRET;
    if (secret === undefined || secret.length < 16) {
      return session.reject(CloseCode.Unauthorized, "the writer has no EVODB_CDC_SECRET (>= 16 characters) configured; refusing every session");
    }
    if (!(await verifyCdcToken(secret, hello.credentials, hello.tenant, hello.sourceId))) {
      return session.reject(CloseCode.Unauthorized, `credentials refused for tenant ${hello.tenant}; sign them with EVODB_CDC_SECRET`);
    }
    const durable = this.store.durableLsn(hello.sourceId, hello.tenant);
    return { kind: "reply", reply: session.accept(durable) };
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // 1005/1006 are reserved and cannot be sent back (workerd throws), see TOOLCHAIN.md §7.
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.Normal : code, reason);
    } catch {
      // Already closed by our side after an ERROR frame: nothing left to do.
    }
  }

  private async armFlush(): Promise<void> {
    if (this.flushFunction() === null) return;
    const due = Date.now() + this.flushDelayMs();
    // An alarm further out (a parked group's retry) must not hold back this batch's flush.
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  /**
   * Flushes the buffer: resumes an unfinished flush first (same id, same entries), otherwise
   * claims the oldest entries of groups not parked. When the flush function throws, the same
   * flush is retried with exponential backoff; groups it reports as failed are parked instead
   * (see {@link CdcFlushOutcome}) and the others go on.
   */
  override async alarm(): Promise<void> {
    const flush = this.flushFunction();
    if (flush === null) return;
    const claim = this.store.currentFlush() ?? this.store.claimFlush(MAX_ENTRIES_PER_FLUSH, this.maxFlushBytes(), Date.now());
    if (claim !== null) {
      let outcome: void | CdcFlushOutcome;
      try {
        outcome = await flush({ flushId: claim.flushId, entries: this.store.claimedEntries(claim) });
      } catch (error) {
        const failures = this.store.recordFlushFailure();
        await this.ctx.storage.setAlarm(Date.now() + Math.min(MAX_FLUSH_BACKOFF_MS, 500 * 2 ** Math.min(failures, 7)));
        // Reported, not swallowed: the retry above is armed, and the runtime logs the failure.
        console.error(new EvoDBError("STORAGE_ERROR", `CDC flush ${claim.flushId} failed (attempt ${failures}); retrying`, { cause: error }));
        return;
      }
      const failed = outcome?.failed ?? [];
      this.store.completeFlush(claim, failed, Date.now());
      for (const group of failed) {
        // Reported, not swallowed: the group is parked and retried (status() lists it).
        console.error(new EvoDBError("STORAGE_ERROR", `CDC flush ${claim.flushId}: table ${group.table} of tenant ${group.tenant} failed; its entries wait for a retry`, { cause: group.error }));
      }
    }
    // Nothing claimable (only parked groups wait) or more to do: wake when the next flush is due.
    const next = this.store.nextFlushAt(Date.now());
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }

  /** Buffer status: entries waiting, the flush in progress, parked groups and each source's durable LSN (typed DO RPC). */
  async status(): Promise<{ pending: number; flushing: number | null; parked: ParkedGroup[]; sources: { sourceId: string; tenant: string; ackedLsn: number }[] }> {
    return { pending: this.store.pendingCount(), flushing: this.store.currentFlush()?.flushId ?? null, parked: this.store.parkedGroups(), sources: this.store.sources() };
  }
}
