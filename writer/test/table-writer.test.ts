import { EvoDBError, MemoryObjectStore, type WalEntry } from "@evodb/core";
import { createTable, listTableKeys } from "./fixtures";
import { describe, expect, it } from "vitest";
import { canonicalKey, readLiveRows, TableWriter } from "../src/index";
import { expectLiveRows, LiveModel, walEntry } from "./helpers";

describe("canonical keys", () => {
  it("keeps keys of different types apart and composite keys unambiguous", () => {
    const keys = [1, "1", 1n, [1], ["1"], [1, 2], ["1,2"], "n:1", 0, -0, "", [""], ["a", "b"], ["a,b"]];
    const canonical = keys.map((k) => canonicalKey(k as never));
    expect(canonical[8]).toBe(canonical[9]);
    expect(new Set(canonical).size).toBe(keys.length - 1);
  });

  it("refuses keys that cannot be compared", () => {
    for (const bad of [Number.NaN, Infinity, [], null, {}]) expect(() => canonicalKey(bad as never)).toThrow(EvoDBError);
  });
});

describe("TableWriter", () => {
  it("turns inserts, updates and deletes into exactly the live rows", async () => {
    const table = await createTable(new MemoryObjectStore());
    const writer = new TableWriter(table);
    await writer.add([
      walEntry(1, "insert", 1, { name: "a", n: 1 }),
      walEntry(2, "insert", 2, { name: "b", nested: { x: [1, 2] } }),
      walEntry(3, "insert", 3, { name: "c" }),
    ]);
    const first = (await writer.flush())!;
    expect(first.snapshot.operation).toBe("append");
    expect(first.rowsWritten).toBe(3);
    expect(first.snapshot.dataFiles[0]!.columnStats.name).toMatchObject({ min: "a", max: "c", nullCount: 0 });
    await writer.add([walEntry(4, "update", 1, { name: "a2" }), walEntry(5, "delete", 2), walEntry(6, "update", 3, { name: "c2" }), walEntry(7, "update", 3, { name: "c3" })]);
    const second = (await writer.flush())!;
    expect(second.snapshot.operation).toBe("overwrite");
    expect(second.rowsWritten).toBe(2);
    expect(second.keysDeleted).toBe(3);
    await expectLiveRows(table, new Map([[1, { name: "a2" }], [3, { name: "c3" }]]));
    // The first snapshot still reads as it was.
    await expectLiveRows(table, new Map([[1, { name: "a", n: 1 }], [2, { name: "b", nested: { x: [1, 2] } }], [3, { name: "c" }]]), first.snapshot.snapshotId);
    await writer.add([walEntry(8, "delete", 1), walEntry(9, "insert", 2, { name: "b again" })]);
    expect((await writer.flush())!.snapshot.operation).toBe("overwrite");
    await expectLiveRows(table, new Map([[2, { name: "b again" }], [3, { name: "c3" }]]));
  });

  it("flushes on count, size and age", async () => {
    let now = 0;
    const table = await createTable(new MemoryObjectStore());
    const byCount = new TableWriter(table, { maxEntries: 3, clock: () => now });
    await byCount.add([walEntry(1, "insert", 1, {}), walEntry(2, "insert", 2, {})]);
    expect(byCount.flushDue()).toBe(false);
    await byCount.add([walEntry(3, "insert", 3, {})]);
    expect(byCount.flushDue()).toBe(true);

    const bySize = new TableWriter(table, { maxBytes: 10_000, clock: () => now });
    await bySize.add([walEntry(10, "insert", 10, { big: "x".repeat(5000) })]);
    expect(bySize.flushDue()).toBe(false);
    await bySize.add([walEntry(11, "insert", 11, { big: "y".repeat(5000) })]);
    expect(bySize.flushDue()).toBe(true);

    const byAge = new TableWriter(table, { maxAgeMs: 1000, clock: () => now });
    expect(byAge.flushDue()).toBe(false);
    await byAge.add([walEntry(20, "insert", 20, {})]);
    now += 999;
    expect(byAge.flushDue()).toBe(false);
    now += 1;
    expect(byAge.flushDue()).toBe(true);
  });

  it("refuses documents that are not objects or use the reserved members, keeping the rest of the batch", async () => {
    const table = await createTable(new MemoryObjectStore());
    const writer = new TableWriter(table);
    const bad = [5, "x", null, [1], { _evodb_key: 1 }, { _evodb_lsn: 2 }];
    const entries = [...bad.map((doc, i) => walEntry(i + 1, "insert", i, doc as never)), walEntry(bad.length + 1, "insert", 99, { ok: true })];
    const result = await writer.add(entries);
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => [r.entry.lsn, r.error.code])).toEqual(bad.map((_, i) => [i + 1, "INVALID_ARGUMENT"]));
    await writer.flush();
    await expectLiveRows(table, new Map([[99, { ok: true }]]));
  });

  it("splits a flush into blocks of the target size", async () => {
    const table = await createTable(new MemoryObjectStore());
    const writer = new TableWriter(table, { blockSize: 20_000 });
    const entries: WalEntry[] = Array.from({ length: 200 }, (_, i) => walEntry(i + 1, "insert", i, { text: `row ${i} `.repeat(50) }));
    await writer.add(entries);
    const result = (await writer.flush())!;
    expect(result.snapshot.dataFiles.length).toBeGreaterThanOrEqual(4);
    expect(result.snapshot.summary.totalRows).toBe(200);
    expect((await readLiveRows(table)).length).toBe(200);
  });

  it("never duplicates a row when a flush is retried after a crash, and cleans the orphaned block", async () => {
    const store = new MemoryObjectStore();
    const table = await createTable(store);
    const entries = [walEntry(1, "insert", 1, { v: 1 }), walEntry(2, "insert", 2, { v: 2 })];
    const crashing = new TableWriter(table, {
      beforeCommit: () => {
        throw new Error("crash between upload and commit");
      },
    });
    await crashing.add(entries);
    await expect(crashing.flush()).rejects.toThrow("crash");
    const orphanKeys = await listTableKeys(store, table, "data/");
    expect(orphanKeys).toHaveLength(1);

    // A new writer (the restarted Durable Object) gets the same entries again.
    const restarted = new TableWriter(table);
    await restarted.add(entries);
    expect((await restarted.flush())!.duplicate).toBe(false);
    // Redelivered once more after the commit: dropped on arrival.
    const again = new TableWriter(table);
    expect(await again.add(entries)).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    await expectLiveRows(table, new Map([[1, { v: 1 }], [2, { v: 2 }]]));

    const { removeOrphanFiles } = await import("@evodb/lakehouse");
    expect(await removeOrphanFiles(table, { graceMs: 0, nowMs: Date.now() + 1000 })).toEqual(orphanKeys);
    await expectLiveRows(table, new Map([[1, { v: 1 }], [2, { v: 2 }]]));
  });

  it("reports a flush of an already committed range as a duplicate and removes its copies", async () => {
    const store = new MemoryObjectStore();
    const table = await createTable(store);
    const first = new TableWriter(table);
    const second = new TableWriter(table);
    const entries = [walEntry(1, "insert", 1, { v: 1 }), walEntry(2, "update", 1, { v: 2 })];
    // Both learn the committed LSN (none) before either commits: the race a failover can cause.
    await first.add(entries);
    await second.add(entries);
    expect((await first.flush())!.duplicate).toBe(false);
    const late = (await second.flush())!;
    expect(late.duplicate).toBe(true);
    expect(await listTableKeys(store, table, "data/")).toHaveLength(1);
    expect(await listTableKeys(store, table, "deletes/")).toHaveLength(1);
    await expectLiveRows(table, new Map([[1, { v: 2 }]]));
  });

  it("keeps a model of random entries in step (small sanity run)", async () => {
    const table = await createTable(new MemoryObjectStore());
    const writer = new TableWriter(table);
    const model = new LiveModel();
    let lsn = 0;
    for (let round = 0; round < 5; round++) {
      const entries = [walEntry(++lsn, "insert", round, { round }), walEntry(++lsn, "update", round, { round, updated: true })];
      if (round > 0) entries.push(walEntry(++lsn, "delete", round - 1));
      await writer.add(entries);
      entries.forEach((e) => model.apply(e));
      await writer.flush();
      await expectLiveRows(table, model.docs);
    }
  });
});
