import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { parseJson } from "@evodb/core";
import { describe, expect, it } from "vitest";
import { env, eventually, writerContents } from "./helpers";
import { Random } from "@evodb/test-utils";
import { EdgeStore, type DocumentWrite } from "../../src/edge-store";
import { writerShardName } from "../../src/writer-shard";
import type { TestEdge, TestWriter } from "./worker";

const edge = (tenant: string) => env.EVODB_EDGE.get(env.EVODB_EDGE.idFromName(tenant));
const writerOf = (tenant: string) => env.EVODB_WRITER.get(env.EVODB_WRITER.idFromName(`writer-of-${tenant}`));

/** Waits until the edge's WAL is empty, running its alarm to skip retry backoff. */
async function drained(tenant: string): Promise<void> {
  await eventually(async () => {
    const status = await edge(tenant).cdcStatus();
    if (status.pending === 0) return true;
    await runDurableObjectAlarm(edge(tenant));
    return false;
  });
}

describe("edge Durable Object: documents and WAL", () => {
  it("appends one WAL entry per change in the same transaction as the document", async () => {
    const stub = edge("doc-api");
    const seen = await runInDurableObject(stub, async (instance: TestEdge, state) => {
      const results = [
        await instance.put("orders", "a", { id: "a", total: 1 }),
        await instance.put("orders", "a", { id: "a", total: 2 }),
        await instance.delete("orders", "a"),
        await instance.delete("orders", "missing"),
        ...(await instance.putMany("users", [{ key: "u1", doc: { id: "u1" } }, { key: "u2", doc: { n: 12345678901234567890n } }])),
      ];
      // No await between the writes and this read, so the CDC pump cannot have trimmed the WAL yet.
      const wal = state.storage.sql.exec("SELECT lsn, table_name, doc_key, op, doc FROM evodb_wal ORDER BY lsn").toArray();
      return { results, wal };
    });
    expect(seen.results.map((r) => [r.lsn, r.op])).toEqual([[1, "insert"], [2, "update"], [3, "delete"], [null, null], [4, "insert"], [5, "insert"]]);
    expect(seen.wal).toEqual([
      { lsn: 1, table_name: "orders", doc_key: "a", op: "insert", doc: '{"id":"a","total":1}' },
      { lsn: 2, table_name: "orders", doc_key: "a", op: "update", doc: '{"id":"a","total":2}' },
      { lsn: 3, table_name: "orders", doc_key: "a", op: "delete", doc: null },
      { lsn: 4, table_name: "users", doc_key: "u1", op: "insert", doc: '{"id":"u1"}' },
      { lsn: 5, table_name: "users", doc_key: "u2", op: "insert", doc: '{"n":12345678901234567890}' },
    ]);
    expect(await stub.get("orders", "a")).toBeNull();
    expect(parseJson((await stub.get("users", "u2"))!)).toEqual({ n: 12345678901234567890n });
    expect((await stub.list("users")).map((row) => row.key)).toEqual(["u1", "u2"]);
    expect((await stub.list("users", { after: "u1" })).map((row) => row.key)).toEqual(["u2"]);
  });

  it("a request's writes, stored a chunk of rows per statement, equal the same writes stored one by one", async () => {
    // Seeded: 300 puts and deletes over 60 keys (more than one statement's chunk), with repeated
    // keys inside the request, deletes of missing keys and keys that exist from an earlier request.
    const random = new Random(7);
    const key = (): string => (random.chance(0.1) ? `ké${random.int(0, 4)}` : `k${random.int(0, 59)}`);
    const earlier: DocumentWrite[] = Array.from({ length: 20 }, (_, i) => ({ key: `k${i * 3}`, doc: `{"v":${i}}` }));
    const request: DocumentWrite[] = Array.from({ length: 300 }, (_, i) => ({ key: key(), doc: random.chance(0.25) ? null : `{"i":${i}}` }));
    const apply = (tenant: string, oneByOne: boolean) =>
      runInDurableObject(edge(tenant), async (_instance: TestEdge, state) => {
        const store = new EdgeStore(state.storage);
        store.write("orders", earlier, 1);
        const results = oneByOne ? request.flatMap((write) => store.write("orders", [write], 2)) : store.write("orders", request, 2);
        return {
          results,
          wal: state.storage.sql.exec("SELECT lsn, table_name, doc_key, op, doc, time FROM evodb_wal ORDER BY lsn").toArray(),
          docs: state.storage.sql.exec("SELECT table_name, doc_key, doc, lsn FROM evodb_docs ORDER BY doc_key").toArray(),
          lastLsn: store.lastLsn(),
        };
      });
    const batched = await apply("batch-chunked", false);
    const reference = await apply("batch-one-by-one", true);
    expect(batched).toEqual(reference);
    expect(batched.results.filter((result) => result.op === "update").length).toBeGreaterThan(0);
    expect(batched.results.filter((result) => result.op === "delete").length).toBeGreaterThan(0);
    expect(batched.results.filter((result) => result.lsn === null).length).toBeGreaterThan(0);
  });

  it("refuses bad table names and keys without writing", async () => {
    const stub = edge("doc-bad");
    // Called inside the object: a rejected RPC call is reported by the pool as an unhandled error.
    await runInDurableObject(stub, async (instance: TestEdge) => {
      await expect(instance.put("../other", "k", {})).rejects.toMatchObject({ code: "INVALID_NAME" });
      await expect(instance.put("orders", "", {})).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(instance.put("orders", "k", [1, 2])).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      // 1.1 million characters but 2.2 MB of UTF-8: over the 2 MB SQLite value limit.
      await expect(instance.put("orders", "k", { s: "é".repeat(1_100_000) })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
      expect((await instance.put("orders", "k", { s: "é".repeat(900_000) })).lsn).toBe(1);
      await expect(instance.put("orders", "k", { _evodb_key: 1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });
    expect(await stub.cdcStatus()).toMatchObject({ lastLsn: 1 });
  });

  it("serves the HTTP document API", async () => {
    const stub = edge("doc-http");
    const single = await stub.fetch("https://edge/tables/orders/docs", { method: "POST", body: '{"id":7,"big":9007199254740993}' });
    expect(single.status).toBe(201);
    expect(await single.json()).toEqual({ key: "7", lsn: 1, op: "insert" });
    const batch = await stub.fetch("https://edge/tables/orders/docs", { method: "POST", body: '[{"id":"x"},{"id":"y","v":[1,{}]}]' });
    expect(((await batch.json()) as unknown[]).length).toBe(2);
    expect(await (await stub.fetch("https://edge/tables/orders/docs/7")).text()).toBe('{"id":7,"big":9007199254740993}');
    expect((await stub.fetch("https://edge/tables/orders/docs/nope")).status).toBe(404);
    expect((await stub.fetch("https://edge/tables/orders/docs", { method: "POST", body: '{"no":"id"}' })).status).toBe(400);
    expect((await stub.fetch("https://edge/tables/orders/docs", { method: "POST", body: "{oops" })).status).toBe(400);
    expect((await stub.fetch("https://edge/tables/..%2Fx/docs", { method: "POST", body: '{"id":1}' })).status).toBe(400);
    expect(await (await stub.fetch("https://edge/tables/orders/docs/y", { method: "DELETE" })).json()).toEqual({ key: "y", lsn: 4, op: "delete" });
    const listed = (await (await stub.fetch("https://edge/tables/orders/docs")).json()) as { key: string }[];
    expect(listed.map((row) => row.key)).toEqual(["7", "x"]);
  });
});

describe("edge Durable Object: CDC pump", () => {
  it("delivers every entry to the writer, which acknowledges it, and trims the WAL", { timeout: 60_000 }, async () => {
    const stub = edge("pump-basic");
    for (let i = 0; i < 30; i++) await stub.put("orders", `k${i % 20}`, { id: i });
    await stub.delete("orders", "k3");
    await drained("pump-basic");
    const status = await stub.cdcStatus();
    expect(status).toMatchObject({ lastLsn: 31, ackedLsn: 31, pending: 0 });
    const contents = await writerContents("writer-of-pump-basic");
    expect(contents.entries.map((e) => e.lsn)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(contents.entries.filter((e) => e.op === "update").length).toBe(10);
    expect(contents.entries.at(-1)).toMatchObject({ op: "delete", table_name: "orders" });
    // Idle: the pump closed its socket, so the writer holds none.
    await eventually(async () => (await runInDurableObject(writerOf("pump-basic"), (_i: TestWriter, state) => state.getWebSockets().length)) === 0);
  });

  it("a drained session lingers: the next write goes out on the open socket, which closes once idle", { timeout: 60_000 }, async () => {
    const tenant = "pump-linger";
    const stub = edge(tenant);
    const received = () => runInDurableObject(writerOf(tenant), (instance: TestWriter) => instance.binaryMessages);
    await stub.put("orders", "a", { id: "a" });
    await eventually(async () => (await stub.cdcStatus()).ackedLsn === 1);
    // HELLO and one BATCH so far.
    expect(await received()).toBe(2);
    await stub.put("orders", "b", { id: "b" });
    await eventually(async () => (await stub.cdcStatus()).ackedLsn === 2);
    // Only a BATCH more: no second HELLO, so the same session carried it.
    expect(await received()).toBe(3);
    expect((await writerContents(`writer-of-${tenant}`)).entries.map((e) => e.lsn)).toEqual([1, 2]);
    await eventually(async () => (await runInDurableObject(writerOf(tenant), (_i: TestWriter, state) => state.getWebSockets().length)) === 0);
  });

  it("after the socket is killed mid-stream, recovery delivers every entry exactly once", { timeout: 60_000 }, async () => {
    const tenant = "pump-killed";
    // Kill the socket instead of handling the 3rd binary message (HELLO, batch, then a batch).
    await runInDurableObject(writerOf(tenant), (instance: TestWriter) => {
      instance.killBeforeMessage = 3;
    });
    const stub = edge(tenant);
    const big = "x".repeat(100_000); // ~5 batches of 512 KiB for 25 documents
    for (let i = 0; i < 5; i++) await stub.putMany("blobs", Array.from({ length: 5 }, (_, j) => ({ key: `b${i * 5 + j}`, doc: { big, i, j } })));
    await drained(tenant);
    const status = await stub.cdcStatus();
    expect(status).toMatchObject({ lastLsn: 25, ackedLsn: 25, pending: 0, failures: 0 });
    const contents = await writerContents(`writer-of-${tenant}`);
    expect(contents.entries.map((e) => e.lsn)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(contents.sources[0]!.acked_lsn).toBe(25);
    // The kill really happened: the writer saw a session die before all was acknowledged.
    expect(await runInDurableObject(writerOf(tenant), (instance: TestWriter) => instance.killBeforeMessage)).toBe(3);
  });

  it("keeps entries and retries with backoff while the writer refuses, then delivers", async () => {
    const tenant = "pump-refused";
    await runInDurableObject(writerOf(tenant), (instance: TestWriter) => {
      instance.killBeforeMessage = 1; // the first HELLO dies
    });
    const stub = edge(tenant);
    await stub.put("t", "a", { id: "a" });
    await eventually(async () => (await stub.cdcStatus()).failures >= 1 || (await stub.cdcStatus()).pending === 0);
    await drained(tenant);
    expect(await stub.cdcStatus()).toMatchObject({ lastLsn: 1, ackedLsn: 1, pending: 0, failures: 0 });
    expect((await writerContents(`writer-of-${tenant}`)).entries.map((e) => e.lsn)).toEqual([1]);
  });

  it("an instance the runtime starts for its alarm (ctx.id.name undefined) still knows its tenant: it ships the WAL and takes writes", async () => {
    const tenant = "pump-alarm-started";
    // Store a write and push its pump alarm 1 s out, then kill the instance that knows its name.
    await runInDurableObject(edge(tenant), async (instance: TestEdge, state) => {
      await instance.put("orders", "a", { id: "a" });
      await state.storage.setAlarm(Date.now() + 1000);
    });
    await expect(runInDurableObject(edge(tenant), (_instance: TestEdge, state) => state.abort("test: restart before the pump ran"))).rejects.toThrow();
    // Untouched until the alarm has started a new instance: any call before would start it by name.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const seen = await runInDurableObject(edge(tenant), async (instance: TestEdge, state) => ({ name: state.id.name, status: await instance.cdcStatus() }));
    expect(seen.name).toBeUndefined();
    await drained(tenant);
    expect(await edge(tenant).put("orders", "b", { id: "b" })).toEqual({ key: "b", lsn: 2, op: "insert" });
    await drained(tenant);
    const contents = await writerContents(`writer-of-${tenant}`);
    expect(contents.entries.map((e) => e.lsn)).toEqual([1, 2]);
  });

  it("many concurrent writers: every LSN arrives once per tenant", { timeout: 120_000 }, async () => {
    const tenants = Array.from({ length: 5 }, (_, i) => `pump-many-${i}`);
    await Promise.all(tenants.map(async (tenant) => {
      const stub = edge(tenant);
      await Promise.all(Array.from({ length: 40 }, (_, i) => stub.put("events", `e${i}`, { id: i, tenant })));
    }));
    for (const tenant of tenants) {
      await drained(tenant);
      const lsns = (await writerContents(`writer-of-${tenant}`)).entries.map((e) => e.lsn);
      expect(lsns).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    }
  });
});

describe("edge Durable Object: writer shards", () => {
  it("with EVODB_WRITER_SHARDS=3, each tenant's CDC reaches the one writer its name hashes to", { timeout: 60_000 }, async () => {
    const tenants = Array.from({ length: 8 }, (_, i) => `sharded-${i}`);
    const sharded = (tenant: string) => env.EVODB_SHARDED_EDGE.get(env.EVODB_SHARDED_EDGE.idFromName(tenant));
    for (const tenant of tenants) await sharded(tenant).putMany("orders", [{ key: "a", doc: { id: "a" } }, { key: "b", doc: { id: "b" } }]);
    for (const tenant of tenants) {
      await eventually(async () => {
        if ((await sharded(tenant).cdcStatus()).pending === 0) return true;
        await runDurableObjectAlarm(sharded(tenant));
        return false;
      });
    }
    const holders = new Map<string, string[]>();
    for (const shard of ["evodb-writer-shard-0", "evodb-writer-shard-1", "evodb-writer-shard-2"]) {
      for (const source of (await writerContents(shard)).sources) {
        expect(source.acked_lsn).toBe(2);
        holders.set(source.source_id, [...(holders.get(source.source_id) ?? []), shard]);
      }
    }
    for (const tenant of tenants) {
      expect(holders.get(env.EVODB_SHARDED_EDGE.idFromName(tenant).toString())).toEqual([writerShardName(tenant, 3)]);
    }
    expect(new Set(tenants.map((tenant) => writerShardName(tenant, 3))).size).toBeGreaterThan(1);
  });
});
