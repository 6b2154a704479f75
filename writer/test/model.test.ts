import { MemoryObjectStore, type ObjectStore } from "@evodb/core";
import { FsObjectStore } from "@evodb/core/node";
import type { Table } from "@evodb/lakehouse";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compact, TableWriter } from "../src/index";
import { createTable, listTableKeys } from "./fixtures";
import { expectLiveRows, LiveModel, walEntry } from "./helpers";
import { runWriterModelTest } from "./model-suite";

const dir = mkdtempSync(join(tmpdir(), "evodb-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stores: [string, () => ObjectStore][] = [
  ["memory", () => new MemoryObjectStore()],
  ["fs", () => new FsObjectStore(dir)],
];

describe.each(stores)("writer model test on %s", (_label, makeStore) => {
  it("random inserts, updates, deletes, flushes, compactions and crash-retries match the model after every commit and in time travel (seeded)", async () => {
    await runWriterModelTest(makeStore, 120);
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
