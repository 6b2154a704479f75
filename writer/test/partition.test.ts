import { MemoryObjectStore, type JsonValue } from "@evodb/core";
import { createTable } from "@evodb/lakehouse";
import { describe, expect, it } from "vitest";
import { compact, partitionValues, readLiveRows, TableWriter } from "../src/index";
import { decodeRows } from "../src/block-rows";
import { expectLiveRows, LiveModel, walEntry } from "./helpers";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 15, 10, 30);

describe("partition values", () => {
  it.each<[string, unknown, string | number | boolean | null]>([
    ["day of epoch ms", T0, "2026-01-15"],
    ["day of an ISO string", "2026-03-01T23:59:59Z", "2026-03-01"],
    ["day of an unparseable string", "yesterday", null],
    ["day of a missing member", undefined, null],
    ["day of null", null, null],
    ["day of a year past 9999", 253_402_300_800_000, null],
    ["day of a boolean", true, null],
  ])("%s", (_name, ts, want) => {
    const doc: { [key: string]: JsonValue } = ts === undefined ? {} : { ts: ts as JsonValue };
    expect(partitionValues(doc, [{ name: "day", sourcePath: ["ts"], transform: "day" }])).toEqual({ day: want });
  });

  it("applies every transform and walks nested paths", () => {
    const doc = { meta: { at: T0, region: "eu", n: 12345678901234567890n, tags: ["a"] } };
    expect(
      partitionValues(doc, [
        { name: "y", sourcePath: ["meta", "at"], transform: "year" },
        { name: "m", sourcePath: ["meta", "at"], transform: "month" },
        { name: "h", sourcePath: ["meta", "at"], transform: "hour" },
        { name: "region", sourcePath: ["meta", "region"], transform: "identity" },
        { name: "big", sourcePath: ["meta", "n"], transform: "identity" },
        { name: "arr", sourcePath: ["meta", "tags"], transform: "identity" },
        { name: "deep", sourcePath: ["meta", "region", "x"], transform: "identity" },
      ]),
    ).toEqual({ y: "2026", m: "2026-01", h: "2026-01-15-10", region: "eu", big: "12345678901234567890", arr: null, deep: null });
  });
});

describe("partitioned tables", () => {
  it("writes one set of blocks per partition, moves updated rows, and compacts within partitions", async () => {
    const table = await createTable(new MemoryObjectStore(), {
      name: "events",
      keyPath: ["id"],
      partitionSpec: { fields: [{ name: "day", sourcePath: ["ts"], transform: "day" }] },
    });
    const writer = new TableWriter(table);
    const model = new LiveModel();
    let lsn = 0;
    for (let round = 0; round < 4; round++) {
      const entries = [0, 1, 2].map((d) => walEntry(++lsn, "insert", round * 10 + d, { ts: T0 + d * DAY, round }));
      entries.push(walEntry(++lsn, "insert", round * 10 + 9, { round }));
      await writer.add(entries);
      entries.forEach((e) => model.apply(e));
      const { snapshot } = (await writer.flush())!;
      const latestFiles = snapshot.dataFiles.filter((f) => f.addedSnapshotId === snapshot.snapshotId);
      expect(latestFiles.map((f) => f.partition.day).sort()).toEqual(["2026-01-15", "2026-01-16", "2026-01-17", null]);
      for (const f of latestFiles) expect(f.path.startsWith(`data/day=${f.partition.day === null ? "_null" : f.partition.day}/`)).toBe(true);
    }
    // Move key 0 from the 15th to the 20th: its old version must disappear.
    const move = [walEntry(++lsn, "update", 0, { ts: T0 + 5 * DAY, moved: true })];
    await writer.add(move);
    move.forEach((e) => model.apply(e));
    await writer.flush();
    await expectLiveRows(table, model.docs);

    const result = (await compact(table, { minInputs: 2, tierBaseBytes: 1 << 20 }))!;
    expect(result.inputs.length).toBeGreaterThanOrEqual(2);
    const latest = (await table.snapshot())!;
    for (const file of latest.dataFiles) {
      const rows = decodeRows(new Uint8Array(await (await table.readFile(file.path)).arrayBuffer()));
      for (const row of rows) expect(partitionValues(row.document, [{ name: "day", sourcePath: ["ts"], transform: "day" }]).day).toBe(file.partition.day);
    }
    await expectLiveRows(table, model.docs);
    expect((await readLiveRows(table)).length).toBe(model.docs.size);
  });
});
