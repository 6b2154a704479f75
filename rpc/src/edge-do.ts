import { DurableObject } from "cloudflare:workers";
import { EvoDBError, isEvoDBError, parseJson, stringifyJson, type JsonValue } from "@evodb/core";
import { signCdcToken } from "./auth";
import { CdcPump } from "./cdc-pump";
import { isStorableDocument } from "./batch";
import { EdgeStore, type WriteResult } from "./edge-store";
import { isValidTenant, type HelloFrame } from "./frame";
import { parseWriterShards, writerShardName } from "./writer-shard";

/** Environment the edge object reads. */
export interface CdcEdgeEnv {
  /** Shared secret that signs HELLO tokens; the same value as the writer's. */
  EVODB_CDC_SECRET?: string;
  /** The writer Durable Object namespace (a class derived from `CdcWriter`). */
  EVODB_WRITER?: DurableObjectNamespace;
  /**
   * How many writer objects share the tenants (default 1). Change it only when every writer's
   * buffer is empty (`status().pending === 0`): a tenant that moves to another writer while its
   * old writer still holds entries could see them committed out of order (docs/cdc-protocol.md §11).
   */
  EVODB_WRITER_SHARDS?: string;
}

const MAX_RETRY_BACKOFF_MS = 60_000;

/** Maps an EvoDBError code to an HTTP status for the document API. */
function statusFor(error: EvoDBError): number {
  switch (error.code) {
    case "INVALID_ARGUMENT":
    case "INVALID_NAME":
      return 400;
    case "NOT_FOUND":
      return 404;
    case "LIMIT_EXCEEDED":
      return 413;
    case "FORBIDDEN":
      return 403;
    default:
      return 500;
  }
}

/** A document's stored JSON text, after checking the lakehouse can store it ({@link isStorableDocument}). */
function documentText(doc: JsonValue): string {
  if (!isStorableDocument(doc)) {
    throw new EvoDBError("INVALID_ARGUMENT", "a document must be a JSON object whose top-level names do not start with _evodb_ (reserved by EvoDB)");
  }
  return stringifyJson(doc);
}

/** The primary key of a posted document: its `id` member, a string or an integer. */
function documentKey(doc: JsonValue): string {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new EvoDBError("INVALID_ARGUMENT", "each document must be a JSON object with an \"id\" member");
  }
  const id = (doc as Record<string, JsonValue>)["id"];
  if (typeof id === "string") return id;
  if ((typeof id === "number" && Number.isInteger(id)) || typeof id === "bigint") return String(id);
  throw new EvoDBError("INVALID_ARGUMENT", "each document needs an \"id\" member that is a string or an integer");
}

/**
 * The per-tenant edge Durable Object: a document store whose every write appends a WAL entry in
 * the same SQLite transaction, plus the CDC pump that ships the WAL to the writer. Create one per
 * tenant with `namespace.idFromName(tenant)`: the name is the tenant.
 *
 * The pump runs from the alarm. A write arms the alarm for "now"; the alarm opens a WebSocket to
 * the writer, sends every unacknowledged entry, trims the WAL as ACKs arrive, and closes the
 * socket once all is acknowledged and no write came for a second (outgoing sockets cannot
 * hibernate, see cdc-pump.ts); writes in the meantime go out on the open socket. On failure
 * it re-arms itself with exponential backoff, and the next run resumes after the last ACK.
 */
export class CdcEdge<Env extends CdcEdgeEnv = CdcEdgeEnv> extends DurableObject<Env> {
  /** Documents, WAL and CDC position. */
  protected readonly store: EdgeStore;
  /** The tenant once {@link tenant} has established it. */
  private knownTenant: string | null = null;
  /** The CDC pump while an alarm runs it. */
  private pump: CdcPump | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new EdgeStore(ctx.storage);
    // After a restart the WAL may hold entries whose alarm was lost with the old instance.
    void ctx.blockConcurrencyWhile(async () => {
      if (this.store.pendingCount() > 0 && (await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now());
    });
  }

  /**
   * The tenant this object holds: the name it was created with (`idFromName(tenant)`). workerd
   * gives `ctx.id.name` only to an instance started by a request through a named stub; an instance
   * the runtime starts to run its alarm (a CDC retry, or the pump re-armed after a restart or a
   * code reload) sees `undefined` for its whole life, requests included. So the name is recorded
   * in SQLite the first time it is seen, and read back from there when the id does not carry it.
   */
  protected tenant(): string {
    if (this.knownTenant !== null) return this.knownTenant;
    const fromId = this.ctx.id.name;
    const name = fromId ?? this.store.recordedTenant() ?? undefined;
    if (name === undefined || !isValidTenant(name)) {
      throw new EvoDBError("INVALID_NAME", `edge objects must be created with idFromName(tenant), tenant being 1-128 characters of [A-Za-z0-9_-] not starting with '-'; got ${String(name)}`);
    }
    if (fromId !== undefined) this.store.recordTenant(fromId);
    this.knownTenant = name;
    return name;
  }

  /**
   * The writer this tenant sends to: one of `EVODB_WRITER_SHARDS` writers (default 1), chosen by a
   * hash of the tenant name ({@link writerShardName}). Override to place tenants differently.
   */
  protected writerStub(): DurableObjectStub {
    const namespace = this.env.EVODB_WRITER;
    if (namespace === undefined) throw new EvoDBError("INVALID_ARGUMENT", "bind the writer Durable Object as EVODB_WRITER to enable CDC");
    return namespace.get(namespace.idFromName(writerShardName(this.tenant(), parseWriterShards(this.env.EVODB_WRITER_SHARDS))));
  }

  private async hello(): Promise<HelloFrame> {
    const secret = this.env.EVODB_CDC_SECRET ?? "";
    const tenant = this.tenant();
    const sourceId = this.ctx.id.toString();
    return { type: "hello", lastAckedLsn: this.store.ackedLsn(), sourceId, tenant, credentials: await signCdcToken(secret, tenant, sourceId) };
  }

  private async openWriterSocket(): Promise<WebSocket> {
    const response = await this.writerStub().fetch("https://evodb-writer/cdc", { headers: { Upgrade: "websocket" } });
    if (response.webSocket === null) {
      throw new EvoDBError("STORAGE_ERROR", `the CDC writer refused the WebSocket upgrade (HTTP ${response.status})`);
    }
    return response.webSocket;
  }

  private write(table: string, writes: { key: string; doc: string | null }[]): WriteResult[] {
    this.tenant();
    const results = this.store.write(table, writes, Date.now());
    if (results.some((result) => result.lsn !== null)) {
      // A pump still connected ships the entries at once; the alarm covers the case where it has
      // just finished. The storage call is ordered with the write above by the output gate.
      this.pump?.notify();
      void this.ctx.storage.setAlarm(Date.now());
    }
    return results;
  }

  /** Inserts or replaces one document (typed DO RPC). */
  async put(table: string, key: string, doc: JsonValue): Promise<WriteResult> {
    return this.write(table, [{ key, doc: documentText(doc) }])[0]!;
  }

  /** Inserts or replaces several documents in one transaction. */
  async putMany(table: string, docs: { key: string; doc: JsonValue }[]): Promise<WriteResult[]> {
    return this.write(table, docs.map(({ key, doc }) => ({ key, doc: documentText(doc) })));
  }

  /** Deletes a document; `lsn` is `null` when it did not exist. */
  async delete(table: string, key: string): Promise<WriteResult> {
    return this.write(table, [{ key, doc: null }])[0]!;
  }

  /**
   * One document as lossless JSON text (parse it with core's `parseJson` to keep integers beyond
   * 2^53), or `null`. Text rather than a value: the recursive `JsonValue` type does not survive the
   * RPC stub's mapped types (TypeScript gives up with TS2589), and the text is what is stored.
   */
  async get(table: string, key: string): Promise<string | null> {
    return this.store.get(table, key);
  }

  /** Documents as JSON text, in key order after `after` (at most `limit`, up to 1000). */
  async list(table: string, options: { after?: string; limit?: number } = {}): Promise<{ key: string; json: string }[]> {
    return this.store.list(table, options.after ?? null, options.limit ?? 100).map(({ key, doc }) => ({ key, json: doc }));
  }

  /** CDC position: newest LSN, highest acknowledged LSN, WAL entries waiting. */
  async cdcStatus(): Promise<{ lastLsn: number; ackedLsn: number; pending: number; failures: number }> {
    return { lastLsn: this.store.lastLsn(), ackedLsn: this.store.ackedLsn(), pending: this.store.pendingCount(), failures: this.store.failures() };
  }

  /**
   * HTTP document API (paths relative to the object):
   * `POST /tables/:table/docs` (a JSON object or an array of objects, keyed by `id`),
   * `GET /tables/:table/docs/:key`, `DELETE /tables/:table/docs/:key`,
   * `GET /tables/:table/docs?after=&limit=`.
   */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const match = /^\/tables\/([^/]+)\/docs(?:\/([^/]+))?$/.exec(url.pathname);
    try {
      if (match === null) throw new EvoDBError("NOT_FOUND", `no route ${request.method} ${url.pathname}; use /tables/:table/docs[/:key]`);
      const table = decodeURIComponent(match[1]!);
      const key = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
      if (request.method === "POST" && key === undefined) {
        const body = parseJson(await request.text());
        const docs = Array.isArray(body) ? body : [body];
        if (docs.length === 0) throw new EvoDBError("INVALID_ARGUMENT", "post at least one document");
        const results = this.write(table, docs.map((doc) => ({ key: documentKey(doc), doc: documentText(doc) })));
        return Response.json(Array.isArray(body) ? results : results[0], { status: 201 });
      }
      if (request.method === "GET" && key !== undefined) {
        const doc = this.store.get(table, key);
        if (doc === null) throw new EvoDBError("NOT_FOUND", `no document "${key}" in table ${table}`);
        return new Response(doc, { headers: { "content-type": "application/json" } });
      }
      if (request.method === "DELETE" && key !== undefined) return Response.json(this.write(table, [{ key, doc: null }])[0]);
      if (request.method === "GET") {
        const rows = this.store.list(table, url.searchParams.get("after"), Number(url.searchParams.get("limit") ?? 100) || 100);
        return new Response(`[${rows.map((row) => `{"key":${JSON.stringify(row.key)},"doc":${row.doc}}`).join(",")}]`, { headers: { "content-type": "application/json" } });
      }
      throw new EvoDBError("NOT_FOUND", `method ${request.method} not allowed on ${url.pathname}`);
    } catch (error) {
      if (!isEvoDBError(error)) throw error;
      return Response.json({ error: error.toJSON() }, { status: statusFor(error) });
    }
  }

  /** Runs the CDC pump; on failure re-arms itself with exponential backoff (100 ms .. 60 s). */
  override async alarm(): Promise<void> {
    const pump = new CdcPump(this.store, () => this.openWriterSocket(), () => this.hello());
    this.pump = pump;
    try {
      await pump.drain();
      this.store.setFailures(0);
    } catch (error) {
      const failures = this.store.failures() + 1;
      this.store.setFailures(failures);
      await this.ctx.storage.setAlarm(Date.now() + Math.min(MAX_RETRY_BACKOFF_MS, 100 * 2 ** Math.min(failures, 10)));
      // Reported, not swallowed: the retry is armed above and the entries stay in the WAL.
      console.error(`EvoDB CDC: attempt ${failures} failed, retrying:`, error instanceof Error ? error.message : error);
    } finally {
      this.pump = null;
    }
  }
}
