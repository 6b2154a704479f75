import { describe, expect, it } from "vitest";
import { openDataset, toRows } from "../src/index";
import { CountingStore, datasetStore, oracle, oracleRows } from "./helpers";

describe.each([["versions"], ["versions_v1names"]])("time travel and deletes (%s)", (name) => {
  it("lists four versions under its manifest naming scheme and opens the latest", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    expect(await ds.versions()).toEqual([1, 2, 3, 4]);
    expect(ds.version).toBe(4);
    expect(ds.schema.fields.map((f) => [f.id, f.name, f.logicalType])).toEqual([
      [0, "id", "int64"],
      [1, "value", "double"],
    ]);
  });

  it.each([[1], [2], [3], [4]])("version %i: rows, row ids and count equal lancedb's", async (version) => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`, { version });
    const expected = await oracleRows(name, { version });
    const batch = await ds.scan();
    expect(toRows(batch)).toEqual(expected.map(({ _rowid, ...r }) => r));
    expect(Array.from(batch.rowIds, BigInt)).toEqual(expected.map((r) => r._rowid));
    const table = await (await oracle()).openTable(name);
    await table.checkout(version);
    expect(await ds.countRows()).toBe(await table.countRows());
  });

  it("filters and limits like lancedb's where", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    const filter = [
      { column: "id", op: ">=", value: 990n },
      { column: "value", op: "<", value: 503 },
    ] as const;
    const expected = await oracleRows(name, { where: "id >= 990 AND value < 503" });
    const batch = await ds.scan({ filter: [...filter] });
    expect(toRows(batch)).toEqual(expected.map(({ _rowid, ...r }) => r));
    expect(await ds.countRows([...filter])).toBe(expected.length);
    const limited = await ds.scan({ filter: [...filter], limit: 3, columns: ["value"] });
    expect(toRows(limited)).toEqual(expected.slice(0, 3).map((r) => ({ value: r.value })));
  });

  it("takes rows by address in the requested order and never returns deleted rows", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    const expected = await oracleRows(name);
    const picks = [expected[500]!, expected[3]!, expected[1200]!, expected[0]!];
    const deletedAddress = 7; // id 7 = fragment 0 row 7, deleted by "id % 7 = 0"
    const got = await ds.take([...picks.map((r) => Number(r._rowid)), deletedAddress]);
    expect(toRows(got)).toEqual(picks.map(({ _rowid, ...r }) => r));
    expect(Array.from(got.rowIds)).toEqual(picks.map((r) => Number(r._rowid)));
  });

  it("refuses a version that does not exist", async () => {
    await expect(openDataset(await datasetStore(name), `${name}.lance`, { version: 9 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("deletion files and range reads", () => {
  it("applies a large deletion file like lancedb", async () => {
    const ds = await openDataset(await datasetStore("deletes_many"), "deletes_many.lance");
    const expected = await oracleRows("deletes_many");
    const batch = await ds.scan();
    expect(await ds.countRows()).toBe(expected.length);
    expect(toRows(batch)).toEqual(expected.map(({ _rowid, ...r }) => r));
  });

  it("reads a projected column of a large file without fetching the other columns", async () => {
    const inner = await datasetStore("strings_v2_2");
    const store = new CountingStore(inner);
    const ds = await openDataset(store, "strings_v2_2.lance");
    await ds.scan({ columns: ["id"] });
    const total = (await inner.list({ prefix: "strings_v2_2.lance/data/" })).objects.reduce((n, o) => n + o.size, 0);
    // The long-string column alone is ~1.6 MB; reading just `id` must stay far below the file size.
    expect(store.bytes).toBeLessThan(total / 10);
  });
});
