import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { encodeWalBatch, inferSchema, setLocked } from "@evodb/core";
import { createTable, type Json } from "@evodb/lakehouse";
import type { CdcFlushInput } from "@evodb/rpc/durable-objects";
import { CloseCode, KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE, decodeFrame, encodeFrame, signCdcToken, type ServerSessionState } from "@evodb/rpc";
import { describe, expect, it } from "vitest";
import { deadLetterKey, flushToLakehouse, tenantRoot } from "../src/lakehouse-flush";
import type { LakehouseWriter } from "../src/index";
import { app, checksum, delivered, flushed, lakehouseDocuments, sqliteDocuments, tenantStore, writer } from "./helpers";

/** A raw CDC client of the app's writer (what a hostile or broken edge could send). */
async function rawSocket(): Promise<{ ws: WebSocket; next: () => Promise<{ data?: ArrayBuffer | string; code?: number }> }> {
  const response = await writer().fetch("https://writer/cdc", { headers: { Upgrade: "websocket" } });
  const ws = response.webSocket!;
  ws.binaryType = "arraybuffer";
  ws.accept();
  const queue: { data?: ArrayBuffer | string; code?: number }[] = [];
  let wake: (() => void) | null = null;
  ws.addEventListener("message", (event: MessageEvent) => (queue.push({ data: event.data as ArrayBuffer | string }), wake?.()));
  ws.addEventListener("close", (event: CloseEvent) => (queue.push({ code: event.code }), wake?.()));
  return {
    ws,
    async next() {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return queue.shift()!;
    },
  };
}

describe("write path: Worker → tenant Durable Object → writer Durable Object", () => {
  it("writes single and batch documents, reads them back, and the writer acknowledges them durably", async () => {
    const single = await app("/tenants/acme/tables/orders/docs", { method: "POST", body: '{"id":"o1","total":10}' });
    expect(single.status).toBe(201);
    expect(await single.json()).toEqual({ key: "o1", lsn: 1, op: "insert" });
    const batch = await app("/tenants/acme/tables/orders/docs", { method: "POST", body: '[{"id":"o2","total":20},{"id":"o1","total":11}]' });
    expect(await batch.json()).toEqual([{ key: "o2", lsn: 2, op: "insert" }, { key: "o1", lsn: 3, op: "update" }]);
    expect(await (await app("/tenants/acme/tables/orders/docs/o1")).json()).toEqual({ id: "o1", total: 11 });
    expect((await app("/tenants/globex/tables/orders/docs/o1")).status).toBe(404);
    expect((await app("/tenants/-bad/tables/orders/docs/o1")).status).toBe(400);

    await delivered("acme");
    expect(await tenantStore("acme").cdcStatus()).toMatchObject({ lastLsn: 3, ackedLsn: 3, pending: 0 });
    const status = await writer().status();
    expect(status.sources.find((s) => s.tenant === "acme")?.ackedLsn).toBe(3);
  });

  it("commits inserts, updates and deletes to the lakehouse on R2, equal to the tenant's SQLite", async () => {
    const tenant = "e2e-crud";
    const docs = Array.from({ length: 60 }, (_, i) => ({ id: `d${i}`, n: i, tags: i % 3 === 0 ? [] : ["a", i], nested: { big: 12345678901234567890n, ok: i % 2 === 0 } }));
    const body = JSON.stringify(docs, (_key, value: unknown) => (typeof value === "bigint" ? `__big__${value}` : value)).replace(/"__big__(\d+)"/g, "$1");
    expect((await app(`/tenants/${tenant}/tables/items/docs`, { method: "POST", body })).status).toBe(201);
    await delivered(tenant);
    await flushed();
    expect(await lakehouseDocuments(tenant, "items")).toEqual(await sqliteDocuments(tenant, "items"));

    for (let i = 0; i < 60; i += 4) await app(`/tenants/${tenant}/tables/items/docs`, { method: "POST", body: JSON.stringify({ id: `d${i}`, n: -i, updated: true }) });
    for (let i = 1; i < 60; i += 5) await app(`/tenants/${tenant}/tables/items/docs/d${i}`, { method: "DELETE" });
    await app(`/tenants/${tenant}/tables/items/docs`, { method: "POST", body: '{"id":"late","n":1}' });
    await delivered(tenant);
    await flushed();
    const sqlite = await sqliteDocuments(tenant, "items");
    const lakehouse = await lakehouseDocuments(tenant, "items");
    const lastLsn = (await tenantStore(tenant).cdcStatus()).lastLsn;
    expect(await (await app(`/tenants/${tenant}/tables/items/snapshot`)).json()).toMatchObject({ lastLsn });
    expect((await app(`/tenants/${tenant}/tables/nothing/snapshot`)).status).toBe(404);
    expect(sqlite.size).toBe(60 - 12 + 1);
    expect(lakehouse).toEqual(sqlite);
    expect(lakehouse.has("d1")).toBe(false);
    expect(JSON.parse(lakehouse.get("d4")!)).toEqual({ id: "d4", n: -4, updated: true });
  }, 120_000);

  it("a table locked after the documents were accepted keeps the ones that fit and dead-letters the ones that break its schema", async () => {
    const tenant = "locked-schema";
    const body = '[{"id":"a","qty":1},{"id":"b","qty":"many"},{"id":"c","qty":3}]';
    expect((await app(`/tenants/${tenant}/tables/lines/docs`, { method: "POST", body })).status).toBe(201);
    await delivered(tenant);
    // The lock lands between the tenant's acceptance and the writer's flush (the race the
    // writer's own check exists for; a lock in place before the POST refuses it: schema-lock.test.ts).
    const schema = setLocked(inferSchema([{ id: "a", qty: 1 }]), true);
    await createTable(env.BUCKET, { root: tenantRoot(tenant), name: "lines", schema: schema as unknown as Json });
    await flushed();
    expect([...(await lakehouseDocuments(tenant, "lines")).keys()].sort()).toEqual(["a", "c"]);
    const dead = JSON.parse(await (await env.BUCKET.get(deadLetterKey(tenant, "lines", 2, 2)))!.text()) as { key: string; error: { code: string } }[];
    expect(dead).toMatchObject([{ key: "b", error: { code: "SCHEMA_MISMATCH" } }]);
    // The tenant sees them too: GET .../rejected (with its token or the operator's).
    const rejected = await app(`/tenants/${tenant}/tables/lines/rejected`, { headers: { authorization: "Bearer example-test-query-token" } });
    expect(rejected.status).toBe(200);
    expect(await rejected.json()).toEqual({ table: "lines", truncated: false, rejected: [{ lsn: 2, op: "insert", key: "b", error: dead[0]!.error, document: { id: "b", qty: "many" } }] });
    expect((await app(`/tenants/${tenant}/tables/lines/rejected`)).status).toBe(401);
    expect(await (await app(`/tenants/${tenant}/tables/other/rejected`, { headers: { authorization: "Bearer example-test-query-token" } })).json()).toEqual({ table: "other", truncated: false, rejected: [] });
  }, 120_000);

  it("20 tenants x 500 documents written concurrently: counts and checksums equal the tenants' SQLite", async () => {
    const tenants = Array.from({ length: 20 }, (_, t) => `bulk-${t}`);
    await Promise.all(tenants.map(async (tenant, t) => {
      for (let chunk = 0; chunk < 10; chunk++) {
        const docs = Array.from({ length: 50 }, (_, i) => ({ id: `${chunk}-${i}`, tenant, t, chunk, value: (chunk * 50 + i) * 1.5, label: `doc ${i} of ${tenant}` }));
        const response = await app(`/tenants/${tenant}/tables/events/docs`, { method: "POST", body: JSON.stringify(docs) });
        expect(response.status).toBe(201);
      }
    }));
    for (const tenant of tenants) await delivered(tenant);
    await flushed();
    for (const tenant of tenants) {
      const sqlite = await sqliteDocuments(tenant, "events");
      const lakehouse = await lakehouseDocuments(tenant, "events");
      expect(sqlite.size).toBe(500);
      expect(lakehouse.size).toBe(sqlite.size);
      expect(await checksum(lakehouse)).toBe(await checksum(sqlite));
    }
  }, 600_000);

  it("sockets killed mid-stream and the writer restarted mid-flush: every document is in the lakehouse exactly once", async () => {
    const tenant = "chaos";
    for (let round = 0; round < 8; round++) {
      const docs = Array.from({ length: 25 }, (_, i) => ({ id: `r${round}-${i}`, round, pad: "x".repeat(2_000) }));
      await app(`/tenants/${tenant}/tables/log/docs`, { method: "POST", body: JSON.stringify(docs) });
      // Kill every CDC socket the writer holds, wherever the stream is.
      await runInDurableObject(writer(), (_instance: LakehouseWriter, state) => {
        for (const ws of state.getWebSockets()) ws.close(CloseCode.InternalError, "test: killed");
      });
    }
    await delivered(tenant);
    const buffered = await runInDurableObject(writer(), (_instance: LakehouseWriter, state) =>
      state.storage.sql.exec<{ seq: number }>("SELECT seq FROM evodb_cdc_buffer WHERE tenant = ?", tenant).toArray().length,
    );
    expect(buffered).toBe(200);
    // Restart the writer in the middle of a flush: after the lakehouse commit, before the buffer
    // is dropped. The instance is patched from inside (runInDurableObject); the restart is real.
    await runInDurableObject(writer(), (instance: LakehouseWriter, state) => {
      (instance as unknown as { flushFunction: () => (input: CdcFlushInput) => Promise<void> }).flushFunction = () => async (input) => {
        await flushToLakehouse(env.BUCKET, input);
        state.abort("test: restart in the middle of a flush");
      };
    });
    await expect(runDurableObjectAlarm(writer())).rejects.toThrow();
    expect((await writer().status()).flushing).not.toBeNull();
    await flushed();
    expect(await writer().status()).toMatchObject({ pending: 0, flushing: null });
    const lakehouse = await lakehouseDocuments(tenant, "log");
    expect(lakehouse.size).toBe(200);
    expect(await checksum(lakehouse)).toBe(await checksum(await sqliteDocuments(tenant, "log")));
  }, 300_000);
});

describe("the writer refuses what it must", () => {
  it("bad credentials, another tenant's token and hostile frames are refused and nothing is stored", async () => {
    const forged = await rawSocket();
    forged.ws.send(encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "intruder", tenant: "acme", credentials: await signCdcToken("a-guessed-secret-of-16+", "acme", "intruder") }));
    expect(decodeFrame(new Uint8Array((await forged.next()).data as ArrayBuffer))).toMatchObject({ type: "error", code: CloseCode.Unauthorized });
    expect((await forged.next()).code).toBe(CloseCode.Unauthorized);

    const cross = await rawSocket();
    const globexToken = await signCdcToken(env.EVODB_CDC_SECRET, "globex", "globex-edge");
    cross.ws.send(encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "globex-edge", tenant: "acme", credentials: globexToken }));
    expect(decodeFrame(new Uint8Array((await cross.next()).data as ArrayBuffer))).toMatchObject({ type: "error", code: CloseCode.Unauthorized });

    const hostile = await rawSocket();
    hostile.ws.send(encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "h-edge", tenant: "hostile", credentials: await signCdcToken(env.EVODB_CDC_SECRET, "hostile", "h-edge") }));
    expect(decodeFrame(new Uint8Array((await hostile.next()).data as ArrayBuffer)).type).toBe("welcome");
    const walBatch = encodeWalBatch([{ table: "../acme/orders", primaryKey: "x", lsn: 1, op: "insert", document: { id: "x" }, time: 0 }]);
    hostile.ws.send(encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 1, entryCount: 1, walBatch }));
    expect(decodeFrame(new Uint8Array((await hostile.next()).data as ArrayBuffer))).toMatchObject({ type: "error", code: CloseCode.Forbidden });

    const garbage = await rawSocket();
    garbage.ws.send(encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "g-edge", tenant: "hostile", credentials: await signCdcToken(env.EVODB_CDC_SECRET, "hostile", "g-edge") }));
    await garbage.next();
    const frame = encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 1, entryCount: 1, walBatch }).slice();
    frame[20] = frame[20]! ^ 0xff; // flip bits: the checksum no longer matches
    garbage.ws.send(frame);
    expect(decodeFrame(new Uint8Array((await garbage.next()).data as ArrayBuffer))).toMatchObject({ type: "error", code: CloseCode.CorruptFrame });

    const status = await writer().status();
    const refused = new Set(["intruder", "globex-edge", "h-edge", "g-edge"]);
    expect(status.sources.filter((s) => refused.has(s.sourceId) || s.tenant === "hostile")).toEqual([]);
  });
});

describe("hibernation", () => {
  it("the writer keeps each connection's session in its attachment and answers keep-alives without waking", async () => {
    const socket = await rawSocket();
    socket.ws.send(encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "hib-edge", tenant: "hib", credentials: await signCdcToken(env.EVODB_CDC_SECRET, "hib", "hib-edge") }));
    await socket.next();
    const attachments = await runInDurableObject(writer(), (_instance: LakehouseWriter, state) =>
      state.getWebSockets().map((ws) => ws.deserializeAttachment() as ServerSessionState).filter((a) => a.sourceId === "hib-edge"),
    );
    expect(attachments).toEqual([{ phase: "open", sourceId: "hib-edge", tenant: "hib", durableLsn: 0, receivedLsn: 0, inFlight: 0, creditWindow: 8 }]);
    socket.ws.send(KEEPALIVE_REQUEST);
    expect((await socket.next()).data).toBe(KEEPALIVE_RESPONSE);
    socket.ws.close(1000, "done");
  });
});
