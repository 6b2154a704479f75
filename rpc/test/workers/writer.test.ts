import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { encodeWalBatch } from "@evodb/core";
import { describe, expect, it } from "vitest";
import { signCdcToken } from "../../src/auth";
import { encodeBatchFrame } from "../../src/batch";
import { decodeFrame, encodeFrame } from "../../src/frame";
import { CloseCode, KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE } from "../../src/protocol";
import type { ServerSessionState } from "../../src/server-session";
import { RawClient, cdcEntries, env, eventually, openWriterSession, writerContents } from "./helpers";
import type { TestWriter } from "./worker";

async function expectRefusal(client: RawClient, code: number): Promise<void> {
  const error = decodeFrame(await client.nextFrame());
  expect(error).toMatchObject({ type: "error", code });
  expect(await client.next()).toMatchObject({ kind: "close", code });
}

const writer = (name: string) => env.EVODB_WRITER.get(env.EVODB_WRITER.idFromName(name));

describe("writer Durable Object: durable ACKs", () => {
  it("acknowledges a batch only after storing it, and resumes after a lost ACK without duplicates", async () => {
    const { client, welcome } = await openWriterSession("w-ack");
    expect(welcome).toMatchObject({ ackedLsn: 0, creditWindow: 8 });
    client.ws.send(encodeBatchFrame(cdcEntries(1, 3)));
    expect(decodeFrame(await client.nextFrame())).toEqual({ type: "ack", ackedLsn: 3, creditWindow: 8 });
    // Send a batch and drop the socket before reading its ACK: the ACK is lost.
    client.ws.send(encodeBatchFrame(cdcEntries(4, 6)));
    client.close();

    const again = await openWriterSession("w-ack", "acme", "edge-1", 3);
    expect(again.welcome).toMatchObject({ ackedLsn: 6 });
    // A sender that did not see the WELCOME in time resends 4..6: ignored, re-acknowledged.
    again.client.ws.send(encodeBatchFrame(cdcEntries(4, 6)));
    expect(decodeFrame(await again.client.nextFrame())).toMatchObject({ type: "ack", ackedLsn: 6 });
    again.client.ws.send(encodeBatchFrame(cdcEntries(7, 7)));
    expect(decodeFrame(await again.client.nextFrame())).toMatchObject({ type: "ack", ackedLsn: 7 });
    again.client.close();

    const contents = await writerContents("w-ack");
    expect(contents.entries.map((e) => e.lsn)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(contents.sources).toEqual([{ source_id: "edge-1", acked_lsn: 7 }]);
  });
});

describe("writer Durable Object: pipelined batches", () => {
  it("keeps one consistent session when a credit window of batches is handled back to back", async () => {
    const { client } = await openWriterSession("w-pipelined");
    const frames = Array.from({ length: 8 }, (_, batch) => encodeBatchFrame(cdcEntries(batch * 3 + 1, batch * 3 + 3)));
    // workerd starts each queued message's handler as soon as the previous one awaits. The pool's
    // wrapper adds awaits of its own before our handler (it imports the module through its runner
    // object), which can reorder messages, so the handler is called here the way workerd calls it.
    const attachment = await runInDurableObject(writer("w-pipelined"), async (instance: TestWriter, state) => {
      const ws = state.getWebSockets()[0]!;
      await Promise.all(frames.map((frame) => instance.webSocketMessage(ws, frame.slice().buffer)));
      return ws.deserializeAttachment() as ServerSessionState;
    });
    expect(attachment).toMatchObject({ phase: "open", durableLsn: 24, receivedLsn: 24, inFlight: 0 });
    const acks: unknown[] = [];
    for (let batch = 0; batch < 8; batch++) acks.push(decodeFrame(await client.nextFrame()));
    expect(acks).toEqual(Array.from({ length: 8 }, (_, batch) => ({ type: "ack", ackedLsn: batch * 3 + 3, creditWindow: 8 })));
    // The session goes on over the socket.
    client.ws.send(encodeBatchFrame(cdcEntries(25, 27)));
    expect(decodeFrame(await client.nextFrame())).toEqual({ type: "ack", ackedLsn: 27, creditWindow: 8 });
    client.close();
    expect((await writerContents("w-pipelined")).entries.map((e) => e.lsn)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
  });
});

describe("writer Durable Object: refusals write nothing", () => {
  it("closes an unauthenticated socket with 4401", async () => {
    const client = await RawClient.connect("w-auth");
    client.ws.send(encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "edge-1", tenant: "acme", credentials: "v1.forged" }));
    await expectRefusal(client, CloseCode.Unauthorized);
    const signedWithOtherSecret = await signCdcToken("not-the-writer-secret-at-all", "acme", "edge-1");
    const second = await RawClient.connect("w-auth");
    second.ws.send(encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "edge-1", tenant: "acme", credentials: signedWithOtherSecret }));
    await expectRefusal(second, CloseCode.Unauthorized);
    expect(await writerContents("w-auth")).toEqual({ entries: [], sources: [] });
  });

  it("refuses a tenant's token presented for another tenant", async () => {
    const client = await RawClient.connect("w-cross");
    const acmeToken = await signCdcToken(env.EVODB_CDC_SECRET, "acme", "edge-1");
    client.ws.send(encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "edge-1", tenant: "globex", credentials: acmeToken }));
    await expectRefusal(client, CloseCode.Unauthorized);
  });

  it("refuses entries naming a table outside the tenant with 4403", async () => {
    const { client } = await openWriterSession("w-table");
    // A hostile sender builds the WAL batch itself: core's codec accepts any non-empty table name.
    const walBatch = encodeWalBatch([
      { table: "orders", primaryKey: "a", lsn: 1, op: "insert", document: { id: "a" }, time: 0 },
      { table: "../globex/orders", primaryKey: "b", lsn: 2, op: "insert", document: { id: "b" }, time: 0 },
    ]);
    const frame = encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 2, entryCount: 2, walBatch });
    client.ws.send(frame);
    await expectRefusal(client, CloseCode.Forbidden);
    expect(await writerContents("w-table")).toEqual({ entries: [], sources: [] });
  });

  it("closes on hostile frames: garbage, wrong version, oversized, text, LSN backwards, BATCH before HELLO", async () => {
    const cases: [Uint8Array | string, number][] = [
      [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]), CloseCode.CorruptFrame],
      [Object.assign(encodeBatchFrame(cdcEntries(1, 1)).slice(), { 2: 2 }), CloseCode.UnsupportedVersion],
      [Object.assign(new Uint8Array(5 * 1024 * 1024), { 0: 0x45, 1: 0x43, 2: 1, 3: 3 }), CloseCode.FrameTooLarge],
      ["not a frame", CloseCode.CorruptFrame],
    ];
    for (const [index, [message, code]] of cases.entries()) {
      const { client } = await openWriterSession(`w-hostile-${index}`);
      client.ws.send(message);
      await expectRefusal(client, code);
      expect((await writerContents(`w-hostile-${index}`)).entries).toEqual([]);
    }
    const { client } = await openWriterSession("w-backwards");
    client.ws.send(encodeBatchFrame(cdcEntries(1, 5)));
    await client.nextFrame();
    client.ws.send(encodeBatchFrame(cdcEntries(4, 8)));
    await expectRefusal(client, CloseCode.CorruptFrame);
    expect((await writerContents("w-backwards")).entries.map((e) => e.lsn)).toEqual([1, 2, 3, 4, 5]);

    const early = await RawClient.connect("w-early");
    early.ws.send(encodeBatchFrame(cdcEntries(1, 1)));
    await expectRefusal(early, CloseCode.ProtocolViolation);
  });
});

describe("writer Durable Object: hibernation", () => {
  it("keeps the session in the socket attachment and answers the keep-alive by auto-response", async () => {
    const { client } = await openWriterSession("w-hibernate", "acme", "edge-h");
    client.ws.send(encodeBatchFrame(cdcEntries(1, 2)));
    await client.nextFrame();
    const seen = await runInDurableObject(writer("w-hibernate"), (_instance: TestWriter, state) => {
      const sockets = state.getWebSockets();
      return {
        attachments: sockets.map((ws) => ws.deserializeAttachment() as ServerSessionState),
        autoResponse: state.getWebSocketAutoResponse()?.request,
      };
    });
    expect(seen.attachments).toEqual([{ phase: "open", sourceId: "edge-h", tenant: "acme", durableLsn: 2, receivedLsn: 2, inFlight: 0, creditWindow: 8 }]);
    expect(seen.autoResponse).toBe(KEEPALIVE_REQUEST);

    client.ws.send(KEEPALIVE_REQUEST);
    expect(await client.next()).toEqual({ kind: "message", data: KEEPALIVE_RESPONSE });
    const stamp = await runInDurableObject(writer("w-hibernate"), (_instance: TestWriter, state) => state.getWebSocketAutoResponseTimestamp(state.getWebSockets()[0]!));
    expect(stamp).toBeInstanceOf(Date);
    client.close();
  });
});

describe("writer Durable Object: flush alarm", () => {
  it("flushes buffered entries and repeats a failed flush with the same id and entries", async () => {
    const { client } = await openWriterSession("w-flush");
    client.ws.send(encodeBatchFrame(cdcEntries(1, 10)));
    await client.nextFrame();
    client.close();
    const stub = writer("w-flush");
    await runInDurableObject(stub, (instance: TestWriter) => {
      instance.failFlushes = 1;
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.status()).toMatchObject({ pending: 10, flushing: 1 });
    // The retry is armed with backoff; run it now (or let the runtime, if it got there first).
    for (let round = 0; round < 50 && (await stub.status()).pending > 0; round++) await runDurableObjectAlarm(stub);
    expect(await stub.status()).toMatchObject({ pending: 0, flushing: null });
    const calls = await runInDurableObject(stub, (instance: TestWriter) => instance.flushCalls);
    expect(calls).toEqual([[1, 10], [1, 10]]);
    const flushed = JSON.parse(await (await env.BUCKET.get("flushes/00000001.json"))!.text()) as { lsn: number; tenant: string }[];
    expect(flushed.map((e) => e.lsn)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(flushed.map((e) => e.tenant))).toEqual(new Set(["acme"]));
  });

  it("splits a large buffer into flushes of bounded bytes, in arrival order", async () => {
    const { client } = await openWriterSession("w-split");
    const big = cdcEntries(1, 6).map((e) => ({ ...e, doc: JSON.stringify({ id: e.lsn, pad: "y".repeat(20_000) }) }));
    client.ws.send(encodeBatchFrame(big));
    await client.nextFrame();
    client.close();
    const stub = writer("w-split");
    await runInDurableObject(stub, (instance: TestWriter) => {
      instance.flushBytes = 50_000;
    });
    // The writer re-arms its alarm for "now" while entries remain, so the runtime may run some
    // flushes itself; either way each call stays within the byte bound.
    for (let round = 0; round < 50 && (await stub.status()).pending > 0; round++) await runDurableObjectAlarm(stub);
    expect(await stub.status()).toMatchObject({ pending: 0, flushing: null });
    const calls = new Map(await runInDurableObject(stub, (instance: TestWriter) => instance.flushCalls));
    expect([...calls]).toEqual([[1, 2], [2, 2], [3, 2]]);
  });

  it("survives a restart in the middle of a flush: the new instance repeats it", async () => {
    const { client } = await openWriterSession("w-restart");
    client.ws.send(encodeBatchFrame(cdcEntries(1, 4)));
    await client.nextFrame();
    client.close();
    const stub = writer("w-restart");
    await runInDurableObject(stub, (instance: TestWriter) => {
      instance.abortInFlush = true;
    });
    await expect(runDurableObjectAlarm(stub)).rejects.toThrow();
    // A fresh instance: its constructor re-armed the alarm, and the claim is still recorded.
    const fresh = writer("w-restart");
    expect(await fresh.status()).toMatchObject({ flushing: 1 });
    for (let round = 0; round < 50 && (await fresh.status()).pending > 0; round++) await runDurableObjectAlarm(fresh);
    expect(await fresh.status()).toMatchObject({ pending: 0, flushing: null });
    expect(await runInDurableObject(fresh, (instance: TestWriter) => instance.flushCalls)).toEqual([[1, 4]]);
  });

  it("parks a table whose flush fails: other tenants' entries keep flowing, and the parked ones follow in order once it recovers", async () => {
    const name = "w-poison";
    const acme = await openWriterSession(name, "acme", "edge-acme");
    const globex = await openWriterSession(name, "globex", "edge-globex");
    acme.client.ws.send(encodeBatchFrame(cdcEntries(1, 3, "poison")));
    globex.client.ws.send(encodeBatchFrame(cdcEntries(1, 3, "orders")));
    await acme.client.nextFrame();
    await globex.client.nextFrame();
    const stub = writer(name);
    await runInDurableObject(stub, (instance: TestWriter) => {
      instance.failTables = new Set(["poison"]);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.status()).toMatchObject({ pending: 3, flushing: null, parked: [{ tenant: "acme", table: "poison", failures: 1 }] });

    // Later entries of the healthy tenant are flushed while acme/poison stays parked.
    globex.client.ws.send(encodeBatchFrame(cdcEntries(4, 6, "orders")));
    await globex.client.nextFrame();
    await eventually(async () => {
      await runDurableObjectAlarm(stub);
      const stored = await runInDurableObject(stub, (instance: TestWriter) => instance.storedEntries);
      return stored.filter((entry) => entry.tenant === "globex").length === 6;
    });
    expect((await stub.status()).parked).toMatchObject([{ tenant: "acme", table: "poison" }]);
    expect((await writerContents(name)).entries.map((entry) => [entry.source_id, entry.lsn])).toEqual([["edge-acme", 1], ["edge-acme", 2], ["edge-acme", 3]]);

    // The table recovers: its entries are flushed at its retry time, in order, once.
    await runInDurableObject(stub, (instance: TestWriter) => {
      instance.failTables = new Set();
    });
    await eventually(async () => {
      await runDurableObjectAlarm(stub);
      return (await stub.status()).pending === 0;
    });
    expect(await stub.status()).toMatchObject({ pending: 0, flushing: null, parked: [] });
    const stored = await runInDurableObject(stub, (instance: TestWriter) => instance.storedEntries);
    expect(stored.filter((entry) => entry.tenant === "globex").map((entry) => entry.lsn)).toEqual([1, 2, 3, 4, 5, 6]);
    const poison = stored.filter((entry) => entry.tenant === "acme");
    expect(poison.map((entry) => [entry.table, entry.lsn])).toEqual([["poison", 1], ["poison", 2], ["poison", 3]]);
    expect(new Set(poison.map((entry) => entry.flushId)).size).toBe(1);
    acme.client.close();
    globex.client.close();
  });
});
