import { checkSchema, inferSchema, MemoryObjectStore, setLocked } from "@evodb/core";
import { createTable, type Json } from "@evodb/lakehouse";
import { describe, expect, it } from "vitest";
import { TableWriter } from "../src/index";
import { expectLiveRows, walEntry } from "./helpers";

describe("schema", () => {
  it("infers and widens a flexible schema, one version per change, before the data that needs it", async () => {
    const table = await createTable(new MemoryObjectStore(), { name: "flex", keyPath: ["id"] });
    const writer = new TableWriter(table);
    await writer.add([walEntry(1, "insert", 1, { id: 1, n: 1 })]);
    const first = (await writer.flush())!;
    let meta = await table.metadata();
    const v1 = checkSchema((await table.schema()).schema);
    expect(v1.fields.map((f) => [f.path.join("."), f.type])).toEqual([["", "object"], ["id", "int"], ["n", "int"]]);
    expect(first.snapshot.schemaId).toBe(meta.currentSchemaId);

    await writer.add([walEntry(2, "insert", 2, { id: 2, n: 1.5, tag: "x" })]);
    const second = (await writer.flush())!;
    meta = await table.metadata();
    const v2 = checkSchema((await table.schema()).schema);
    expect(v2.fields.find((f) => f.path.join(".") === "n")!.type).toBe("float");
    expect(v2.fields.find((f) => f.path.join(".") === "tag")).toMatchObject({ type: "string", required: false });
    expect(second.snapshot.schemaId).toBe(meta.currentSchemaId);

    // Documents that fit change nothing: no new schema version.
    const versions = meta.schemas.length;
    await writer.add([walEntry(3, "insert", 3, { id: 3, n: 2 })]);
    await writer.flush();
    expect((await table.metadata()).schemas).toHaveLength(versions);
  });

  it("refuses documents that break a locked schema, naming path, expected and actual type, and keeps the rest", async () => {
    const locked = setLocked(inferSchema([{ id: 1, name: "a" }]), true);
    const table = await createTable(new MemoryObjectStore(), { name: "locked", keyPath: ["id"], schema: locked as unknown as Json });
    const writer = new TableWriter(table);
    const result = await writer.add([
      walEntry(1, "insert", 1, { id: 1, name: "ok" }),
      walEntry(2, "insert", 2, { id: 2, name: 42 }),
      walEntry(3, "update", 1, { id: 1, name: "still ok" }),
      walEntry(4, "insert", 4, { id: 4 }),
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => r.entry.lsn)).toEqual([2, 4]);
    for (const { error } of result.rejected) expect(error.code).toBe("SCHEMA_MISMATCH");
    expect(result.rejected[0]!.error.details!.violations).toEqual([{ path: ["name"], expected: "string", actual: "int" }]);
    expect(result.rejected[0]!.error.message).toMatch(/"name": expected string, got int/);
    await writer.flush();
    await expectLiveRows(table, new Map([[1, { id: 1, name: "still ok" }]]));
    // A locked schema is never widened.
    expect((await table.metadata()).schemas).toHaveLength(1);
  });
});
