import type { ObjectStore } from "@evodb/core";
import { expect, it } from "vitest";
import { createTable, expireSnapshots, openTable, removeOrphanFiles, type Table } from "../../src/index";
import { listKeys, readRows, uniqueRoot, writeRows, type StoreFactory } from "./helpers";

/** Every key any retained snapshot references, plus the snapshot files themselves. */
async function retainedKeys(table: Table): Promise<string[]> {
  const keys = new Set<string>();
  for (const version of (await table.metadata()).schemas) keys.add(table.prefix + version.path);
  for (const ref of await table.history()) {
    keys.add(table.prefix + ref.path);
    const snapshot = await table.readSnapshot(ref);
    for (const f of snapshot.dataFiles) keys.add(table.prefix + f.path);
    for (const f of snapshot.deleteFiles) keys.add(table.prefix + f.path);
  }
  return [...keys];
}

async function missing(store: ObjectStore, keys: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const key of keys) if ((await store.head(key)) === null) out.push(key);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Snapshot expiry and orphan cleanup, alone and racing commits. */
export function maintenanceTests(label: string, makeStore: StoreFactory): void {
  it("expires old snapshots, deletes only files no retained snapshot uses", async () => {
    const store = await makeStore();
    let now = 1_000_000;
    const table = await createTable(store, { root: uniqueRoot(label), name: "exp" }, { clock: () => now });
    const a = await writeRows(table, [{ id: 1, lsn: 1 }]);
    const b = await writeRows(table, [{ id: 2, lsn: 2 }]);
    await table.append([a]); // 1
    now += 10;
    await table.append([b]); // 2
    now += 10;
    const ab = await writeRows(table, [{ id: 1, lsn: 1 }, { id: 2, lsn: 2 }]);
    await table.replace([a.path, b.path], [ab], { compaction: true }); // 3
    now += 10;
    const c = await writeRows(table, [{ id: 3, lsn: 3 }]);
    await table.append([c]); // 4
    now += 10;

    const result = await expireSnapshots(table, { olderThanMs: 1_000_015, retainLast: 1 });
    expect(result.expired.map((r) => r.snapshotId)).toEqual([1, 2]);
    expect((await table.history()).map((r) => r.snapshotId)).toEqual([3, 4]);
    expect(await missing(store, [table.prefix + a.path, table.prefix + b.path])).toHaveLength(2);
    expect(await missing(store, await retainedKeys(table))).toEqual([]);
    await expect(table.snapshot({ snapshotId: 2 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await table.snapshot({ snapshotId: 3 }))!.dataFiles.map((f) => f.path)).toEqual([ab.path]);

    // retainLast wins over age: the newest snapshots always stay.
    const again = await expireSnapshots(table, { olderThanMs: now + 1_000, retainLast: 2 });
    expect(again.expired).toEqual([]);
    const last = await expireSnapshots(table, { olderThanMs: now + 1_000, retainLast: 0 });
    expect(last.expired.map((r) => r.snapshotId)).toEqual([3]);
    expect((await table.history()).map((r) => r.snapshotId)).toEqual([4]);
    expect((await readRows(table, c.path)).rows).toEqual([{ id: 3, lsn: 3 }]);
  });

  it("removes orphans older than the grace period and nothing referenced", async () => {
    const store = await makeStore();
    const table = await createTable(store, { root: uniqueRoot(label), name: "orph" });
    const kept = await writeRows(table, [{ id: 1, lsn: 1 }]);
    await table.append([kept]);
    const orphan = await writeRows(table, [{ id: 9, lsn: 9 }]);
    const orphanDelete = table.newDeleteFilePath("dv");
    await table.writeFile(orphanDelete, "x");
    await store.put(`${table.prefix}snapshots/00000000000000000002-${"f".repeat(32)}.json`, "{}");
    await store.put(`${table.prefix}schemas/${"e".repeat(32)}.json`, "{}");

    expect(await removeOrphanFiles(table, { graceMs: 3_600_000 })).toEqual([]);
    const deleted = await removeOrphanFiles(table, { graceMs: 0, nowMs: Date.now() + 60_000 });
    expect(deleted.sort()).toEqual(
      [table.prefix + orphan.path, table.prefix + orphanDelete, `${table.prefix}snapshots/00000000000000000002-${"f".repeat(32)}.json`, `${table.prefix}schemas/${"e".repeat(32)}.json`].sort(),
    );
    expect((await table.schema()).schema).toEqual({});
    expect(await missing(store, await retainedKeys(table))).toEqual([]);
    expect((await listKeys(store, table.prefix)).sort()).toEqual([...(await retainedKeys(table)), `${table.prefix}metadata/current.json`].sort());
  });

  it("never deletes a retained file while commits, a compactor, expiry and orphan cleanup run together", async () => {
    const store = await makeStore();
    const root = uniqueRoot(label);
    const base = await createTable(store, { root, name: "gc" });
    const seed = await writeRows(base, [{ id: -1, lsn: 0 }], { origins: ["seed"] });
    await base.append([seed]);
    const orphan = await writeRows(base, [{ id: -2, lsn: 0 }]);
    await sleep(20);
    // Everything written from here on is younger than the cleanup cutoff, however slow it commits.
    const cutoff = Date.now();
    await sleep(20);
    const open = (): Promise<Table> => openTable(store, { root, name: "gc" }, { retry: { maxAttempts: 500, maxDelayMs: 20 } });
    let running = true;
    const appenders = [0, 1, 2, 3].map(async (w) => {
      const table = await open();
      for (let i = 0; i < 12; i++) {
        const file = await writeRows(table, [{ id: w * 100 + i, lsn: 1 }], { origins: [`${w}-${i}`] });
        await table.append([file]);
      }
    });
    const compactor = (async () => {
      const table = await open();
      while (running) {
        const latest = (await table.snapshot())!;
        const inputs = latest.dataFiles.slice(0, 3);
        if (inputs.length >= 2) {
          const parts = await Promise.all(inputs.map((f) => readRows(table, f.path)));
          const merged = await writeRows(table, parts.flatMap((p) => p.rows), { origins: parts.flatMap((p) => p.origins as string[]) });
          await table.replace(inputs.map((f) => f.path), [merged], { compaction: true }).catch((error: { code?: string }) => {
            // Another compaction cannot race this one, but keep the loop honest about what it tolerates.
            if (error.code !== "COMMIT_CONFLICT") throw error;
          });
        }
        await sleep(5);
      }
    })();
    const janitor = (async () => {
      const table = await open();
      while (running) {
        await expireSnapshots(table, { olderThanMs: Date.now(), retainLast: 3 });
        await removeOrphanFiles(table, { graceMs: Date.now() - cutoff });
        await sleep(5);
      }
    })();
    await Promise.all(appenders);
    running = false;
    await Promise.all([compactor, janitor]);

    const table = await open();
    expect(await missing(store, await retainedKeys(table))).toEqual([]);
    expect(await store.head(table.prefix + orphan.path)).toBeNull();
    const latest = (await table.snapshot())!;
    const origins: string[] = [];
    for (const f of latest.dataFiles) origins.push(...((await readRows(table, f.path)).origins as string[]));
    const want = ["seed", ...[0, 1, 2, 3].flatMap((w) => Array.from({ length: 12 }, (_, i) => `${w}-${i}`))];
    expect(origins.sort()).toEqual(want.sort());
  });
}
