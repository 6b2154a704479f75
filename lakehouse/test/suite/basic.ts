import { EvoDBError, type ObjectStore } from "@evodb/core";
import { expect, it } from "vitest";
import { createTable, openTable, POINTER_PATH } from "../../src/index";
import { fakeFile, listKeys, readRows, uniqueRoot, writeRows, type StoreFactory } from "./helpers";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EvoDBError) return error.code;
    throw error;
  }
  return "OK";
}

/** Creating, opening, committing and reading one table; refusal of bad names and bad metadata. */
export function basicTests(label: string, makeStore: StoreFactory): void {
  it("creates a table, appends, and reads the snapshot back", async () => {
    const store = await makeStore();
    const root = uniqueRoot(label);
    const table = await createTable(store, { root, name: "orders", keyPath: ["id"] });
    expect(await table.snapshot()).toBeNull();
    const a = await writeRows(table, [{ id: 1, lsn: 1 }, { id: 2, lsn: 2 }]);
    const b = await writeRows(table, [{ id: 3, lsn: 3 }]);
    const result = await table.append([a, b]);
    expect(result.duplicate).toBe(false);
    expect(result.snapshot.summary).toMatchObject({ addedFiles: 2, addedRows: 3, totalFiles: 2, totalRows: 3 });

    const reopened = await openTable(store, { root, name: "orders" });
    const latest = (await reopened.snapshot())!;
    expect(latest.snapshotId).toBe(result.snapshot.snapshotId);
    expect(latest.dataFiles.map((f) => f.path)).toEqual([a.path, b.path]);
    expect(latest.dataFiles[0]!.columnStats).toEqual({ id: { min: 1, max: 2, nullCount: 0 } });
    expect((await readRows(reopened, b.path)).rows).toEqual([{ id: 3, lsn: 3 }]);
    expect((await reopened.metadata()).keyPath).toEqual(["id"]);
    // Everything the table wrote is under its prefix.
    for (const key of await listKeys(store, root)) expect(key.startsWith(`${root}/orders/`)).toBe(true);
  });

  it("lets exactly one of two concurrent creators win", async () => {
    const store = await makeStore();
    const root = uniqueRoot(label);
    const outcomes = await Promise.all([0, 1, 2].map((i) => codeOf(createTable(store, { root, name: "t", properties: { creator: String(i) } }))));
    expect(outcomes.filter((o) => o === "OK")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "COMMIT_CONFLICT")).toHaveLength(2);
  });

  it("gives NOT_FOUND for a missing table, snapshot id or time", async () => {
    const store = await makeStore();
    const root = uniqueRoot(label);
    expect(await codeOf(openTable(store, { root, name: "missing" }))).toBe("NOT_FOUND");
    let now = 1_000_000;
    const table = await createTable(store, { root, name: "t" }, { clock: () => now });
    await table.append([fakeFile("data/a")]);
    expect(await codeOf(table.snapshot({ snapshotId: 99 }))).toBe("NOT_FOUND");
    expect(await codeOf(table.snapshot({ asOfMs: now - 1 }))).toBe("NOT_FOUND");
    now += 10;
    expect((await table.snapshot({ asOfMs: now }))!.snapshotId).toBe(1);
  });

  it("notices a table that was dropped and re-created under a live handle", async () => {
    const store = await makeStore();
    const root = uniqueRoot(label);
    const old = await createTable(store, { root, name: "t" });
    await store.delete(`${root}/t/${POINTER_PATH}`);
    await createTable(store, { root, name: "t" });
    expect(await codeOf(old.append([fakeFile("data/x")]))).toBe("NOT_FOUND");
  });

  it("refuses hostile names and never writes outside the table prefix", async () => {
    const store = await makeStore();
    const root = uniqueRoot(label);
    const hostile = ["..", "../escape", "a/b", "/abs", "a\u0000b", "a\nb", "", ".", "a\\b", "x".repeat(200)];
    for (const name of hostile) {
      expect(await codeOf(createTable(store, { root, name }))).toBe("INVALID_NAME");
      expect(await codeOf(openTable(store, { root, name }))).toBe("INVALID_NAME");
    }
    for (const bad of ["..", "../escape", "/abs", "", "a//b", "a/./b", "a\u0000b", "a\\b"]) {
      expect(await codeOf(createTable(store, { root: `${root}/${bad}`, name: "t" }))).toBe("INVALID_NAME");
    }
    expect(await codeOf(createTable(store, { root, name: "p", partitionSpec: { fields: [{ name: "../x", sourcePath: ["a"], transform: "identity" }] } }))).toBe("INVALID_NAME");
    const table = await createTable(store, { root, name: "t", partitionSpec: { fields: [{ name: "day", sourcePath: ["ts"], transform: "day" }] } });
    for (const path of ["data/../../escape", "../escape", "/abs", "data/a\u0000", "metadata/current.json", "snapshots/x.json"]) {
      expect(await codeOf(table.writeFile(path, "x"))).toBe("INVALID_NAME");
      expect(await codeOf(table.readFile(path))).toBe("INVALID_NAME");
      expect(await codeOf(table.append([{ ...fakeFile(path), partition: { day: "d" } }]))).toBe("INVALID_NAME");
    }
    const path = table.newDataFilePath({ day: "../../../etc" });
    await table.writeFile(path, "x");
    await table.append([{ ...fakeFile(path), partition: { day: "../../../etc" } }]);
    const keys = await listKeys(store, "");
    const mine = keys.filter((k) => k.startsWith(root));
    expect(mine.every((k) => k.startsWith(`${root}/t/`))).toBe(true);
    expect(keys.some((k) => k.includes("escape") || k.startsWith("/") || k.includes(".."))).toBe(false);
  });

  it("refuses a corrupt or future pointer and a tampered snapshot file", async () => {
    const store: ObjectStore = await makeStore();
    const root = uniqueRoot(label);
    const table = await createTable(store, { root, name: "t" });
    const { snapshot } = await table.append([fakeFile("data/a")]);
    const pointerKey = `${root}/t/${POINTER_PATH}`;
    const good = await (await store.get(pointerKey))!.text();

    await store.put(pointerKey, good.replace('"formatVersion":1', '"formatVersion":2'));
    expect(await codeOf(openTable(store, { root, name: "t" }))).toBe("UNSUPPORTED_VERSION");
    await store.put(pointerKey, good.slice(0, good.length - 5));
    expect(await codeOf(table.snapshot())).toBe("CORRUPT_METADATA");
    await store.put(pointerKey, good);

    const snapshotKey = `${root}/t/${snapshot.path}`;
    const text = await (await store.get(snapshotKey))!.text();
    await store.put(snapshotKey, text.replace('"data/a"', '"data/../../../victim"'));
    const fresh = await openTable(store, { root, name: "t" });
    expect(await codeOf(fresh.snapshot())).toBe("CORRUPT_METADATA");
  });

  it("evolves the schema and detects a concurrent schema change", async () => {
    const store = await makeStore();
    const table = await createTable(store, { root: uniqueRoot(label), name: "t", schema: { v: 0 } });
    const v1 = await table.evolveSchema({ v: 1 }, { expectedSchemaId: 0 });
    expect(v1.schemaId).toBe(1);
    expect(await codeOf(table.evolveSchema({ v: 2 }, { expectedSchemaId: 0 }))).toBe("COMMIT_CONFLICT");
    const { snapshot } = await table.append([fakeFile("data/a")]);
    expect(snapshot.schemaId).toBe(1);
    expect([(await table.schema(0)).schema, (await table.schema(1)).schema, (await table.schema()).schema]).toEqual([{ v: 0 }, { v: 1 }, { v: 1 }]);
    // Another handle reads the schema files from storage, not from a cache.
    const other = await openTable(table.store, { root: table.prefix.split("/")[0]!, name: "t" });
    expect((await other.schema(1)).schema).toEqual({ v: 1 });
    await expect(other.schema(7)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("reports a retried commit as a duplicate instead of applying it twice", async () => {
    const store = await makeStore();
    const table = await createTable(store, { root: uniqueRoot(label), name: "t" });
    const files = [fakeFile("data/a"), fakeFile("data/b")];
    const first = await table.append(files, { lsnRange: { min: 1, max: 5 } });
    const again = await table.append(files, { lsnRange: { min: 1, max: 5 } });
    expect(again.duplicate).toBe(true);
    expect(again.snapshot.snapshotId).toBe(first.snapshot.snapshotId);
    expect((await table.history()).length).toBe(1);
  });
}
