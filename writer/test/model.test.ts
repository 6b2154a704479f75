import { MemoryObjectStore, type JsonValue, type ObjectStore, type WalEntry } from "@evodb/core";
import { FsObjectStore } from "@evodb/core/node";
import { removeOrphanFiles, type Table } from "@evodb/lakehouse";
import { Random, randomObject } from "@evodb/test-utils";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compact, TableWriter } from "../src/index";
import { createTable, listTableKeys } from "./fixtures";
import { expectLiveRows, LiveModel, walEntry } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "evodb-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stores: [string, () => ObjectStore][] = [
  ["memory", () => new MemoryObjectStore()],
  ["fs", () => new FsObjectStore(dir)],
];

describe.each(stores)("writer model test on %s", (_label, makeStore) => {
  it("random inserts, updates, deletes, flushes, compactions and crash-retries match the model after every commit and in time travel (seeded)", async () => {
    const random = new Random(0xe70d6);
    const store = makeStore();
    const table = await createTable(store);
    /** Committed state only: entries reach it when the flush that carries them commits. */
    const model = new LiveModel();
    /** Everything sent so far (committed or not): where keys for updates and deletes come from. */
    const sent = new LiveModel();
    const bySnapshot = new Map<number, Map<number, JsonValue>>();
    let writer = new TableWriter(table, { blockSize: 4_000 });
    let lsn = 0;
    let nextKey = 0;
    let crashes = 0;
    /** Entries sent since the last successful flush: what the edge would resend after a crash. */
    let unflushed: WalEntry[] = [];
    const record = async (snapshotId: number): Promise<void> => {
      await expectLiveRows(table, model.docs);
      bySnapshot.set(snapshotId, model.copy());
    };

    for (let step = 0; step < 120; step++) {
      const batch: WalEntry[] = [];
      for (let n = random.int(1, 8); n > 0; n--) {
        const keys = [...sent.docs.keys()];
        const roll = random.next();
        if (roll < 0.45 || keys.length === 0) batch.push(walEntry(++lsn, "insert", nextKey++, randomObject(random, 2)));
        else if (roll < 0.8) batch.push(walEntry(++lsn, "update", random.pick(keys), randomObject(random, 2)));
        else batch.push(walEntry(++lsn, "delete", random.pick(keys)));
        sent.apply(batch[batch.length - 1]!);
      }
      await writer.add(batch);
      unflushed.push(...batch);
      const action = random.next();
      if (action < 0.1) {
        // Crash after the upload, before the commit; a new writer receives the same entries again.
        const crashing = new TableWriter(table, { blockSize: 4_000, beforeCommit: () => Promise.reject(new Error("crash")) });
        await crashing.add(unflushed);
        await expect(crashing.flush()).rejects.toThrow("crash");
        crashes++;
        writer = new TableWriter(table, { blockSize: 4_000 });
        await writer.add(unflushed);
      }
      if (action < 0.6) {
        const result = await writer.flush();
        if (result !== null) {
          unflushed.forEach((e) => model.apply(e));
          unflushed = [];
          await record(result.snapshot.snapshotId);
        }
      } else if (action < 0.7) {
        const result = await compact(table, { minInputs: 2, tierBaseBytes: 1024, targetBytes: 16_000, full: random.chance(0.3) });
        if (result !== null) await record(result.snapshot.snapshotId);
      }
    }
    const final = await writer.flush();
    if (final !== null) {
      unflushed.forEach((e) => model.apply(e));
      await record(final.snapshot.snapshotId);
    }
    expect(crashes).toBeGreaterThan(0);
    expect(bySnapshot.size).toBeGreaterThan(50);

    for (const [snapshotId, docs] of bySnapshot) await expectLiveRows(table, docs, snapshotId);
    const history = await table.history();
    expect(history.some((h) => h.operation === "compaction")).toBe(true);
    expect(history.some((h) => h.operation === "overwrite")).toBe(true);

    // The crashed uploads are orphans; cleanup removes them and nothing a snapshot needs.
    const before = (await listTableKeys(store, table, "data/")).length;
    const removed = await removeOrphanFiles(table, { graceMs: 0, nowMs: Date.now() + 1000 });
    expect(removed.length).toBeGreaterThan(0);
    expect((await listTableKeys(store, table, "data/")).length).toBeLessThan(before);
    for (const [snapshotId, docs] of bySnapshot) await expectLiveRows(table, docs, snapshotId);
  });
});

describe("compaction", () => {
  it("merges 100 small blocks by tier without changing the rows or breaking time travel", async () => {
    const table = await createTable(new MemoryObjectStore());
    const writer = new TableWriter(table);
    const model = new LiveModel();
    let lsn = 0;
    for (let i = 0; i < 100; i++) {
      const entries = [walEntry(++lsn, "insert", i, { i, text: `doc ${i}` })];
      if (i % 10 === 9) entries.push(walEntry(++lsn, "update", i - 5, { i: i - 5, updated: true }), walEntry(++lsn, "delete", i - 8));
      await writer.add(entries);
      entries.forEach((e) => model.apply(e));
      await writer.flush();
    }
    const beforeId = (await table.snapshot())!.snapshotId;
    const beforeDocs = model.copy();
    const first = (await compact(table, { tierBaseBytes: 512, minInputs: 4, maxInputs: 64, targetBytes: 1 << 20 }))!;
    expect(first.inputs.length).toBeGreaterThanOrEqual(4);
    const latest = (await table.snapshot())!;
    expect(latest.dataFiles.length).toBeLessThan(100);
    expect(first.droppedRows).toBeGreaterThan(0);
    await expectLiveRows(table, model.docs);
    await expectLiveRows(table, beforeDocs, beforeId);
    // A full compaction leaves one block and no delete files.
    await compact(table, { full: true, maxInputs: 1000 });
    const full = (await table.snapshot())!;
    expect(full.dataFiles).toHaveLength(1);
    expect(full.deleteFiles).toHaveLength(0);
    await expectLiveRows(table, model.docs);
    await expectLiveRows(table, beforeDocs, beforeId);
  });

  it("does not race a concurrent flush: both commit, no row lost or resurrected", async () => {
    const store = new MemoryObjectStore();
    const table = await createTable(store);
    const writer = new TableWriter(table);
    const model = new LiveModel();
    let lsn = 0;
    for (let i = 0; i < 12; i++) {
      const entries = [walEntry(++lsn, "insert", i, { i })];
      await writer.add(entries);
      entries.forEach((e) => model.apply(e));
      await writer.flush();
    }
    // Updates and deletes of keys whose blocks the compaction is rewriting, committed while it runs.
    const racing = [walEntry(++lsn, "update", 1, { i: 1, v: 2 }), walEntry(++lsn, "delete", 2), walEntry(++lsn, "insert", 100, { i: 100 })];
    racing.forEach((e) => model.apply(e));
    const [compacted] = await Promise.all([
      compact(table, { minInputs: 2, tierBaseBytes: 1 << 20 }),
      (async () => {
        await writer.add(racing);
        await writer.flush();
      })(),
    ]);
    expect(compacted).not.toBeNull();
    const history = await table.history();
    expect(history.filter((h) => h.operation === "compaction")).toHaveLength(1);
    await expectLiveRows(table, model.docs);
  });

  it("lets one of two racing compactions win and cleans the loser's blocks", async () => {
    const store = new MemoryObjectStore();
    const table: Table = await createTable(store);
    const writer = new TableWriter(table);
    for (let i = 0; i < 8; i++) {
      await writer.add([walEntry(i + 1, "insert", i, { i })]);
      await writer.flush();
    }
    const outcomes = await Promise.allSettled([compact(table, { minInputs: 2, tierBaseBytes: 1 << 20 }), compact(table, { minInputs: 2, tierBaseBytes: 1 << 20 })]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(["COMMIT_CONFLICT"]);
    const latest = (await table.snapshot())!;
    const referenced = new Set<string>();
    for (const ref of await table.history()) for (const f of (await table.readSnapshot(ref)).dataFiles) referenced.add(table.prefix + f.path);
    expect(latest.operation).toBe("compaction");
    expect((await listTableKeys(store, table, "data/")).sort()).toEqual([...referenced].sort());
  });
});
