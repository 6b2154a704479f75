import type { JsonValue, ObjectStore, WalEntry } from "@evodb/core";
import { removeOrphanFiles } from "@evodb/lakehouse";
import { Random, randomObject } from "@evodb/test-utils";
import { expect } from "vitest";
import { compact, TableWriter } from "../src/index";
import { createTable, listTableKeys } from "./fixtures";
import { expectLiveRows, LiveModel, walEntry } from "./helpers";

/**
 * The writer's model test, shared by every store (memory, filesystem, R2 in workerd): random
 * inserts, updates, deletes, flushes, compactions and crash-retries, checked after every commit
 * and, at the end, for every snapshot (time travel) against a plain key -> document model.
 */
export async function runWriterModelTest(makeStore: () => ObjectStore, steps: number): Promise<void> {
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

  for (let step = 0; step < steps; step++) {
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
  expect(bySnapshot.size).toBeGreaterThan(steps / 3);

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
}
