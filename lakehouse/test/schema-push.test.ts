import { checkSchema, diffSchemas, dropField, inferSchema, MemoryObjectStore, mergeSchemas, setLocked, type Schema, type ObjectPutOptions, type SchemaDiff, type StoredObject } from "@evodb/core";
import { describe, expect, it } from "vitest";
import { createTable, isEmptySchema, openTable, planSchemaPush, pushSchema, type Json, type Table } from "../src/index";

const v1 = inferSchema([{ id: 1, name: "a" }]);
const v2 = mergeSchemas(v1, inferSchema([{ tags: ["x"] }]));

/** A schema as the JSON a table stores. */
const json = (schema: Schema): Json => schema as unknown as Json;

async function versions(table: Table): Promise<number[]> {
  return (await table.metadata()).schemas.map((s) => s.schemaId);
}

/** A real MemoryObjectStore that runs `beforeSchemaWrite` once, just before the next schema file is written. */
class RacingStore extends MemoryObjectStore {
  beforeSchemaWrite: (() => Promise<unknown>) | null = null;

  override async put(key: string, value: ArrayBuffer | ArrayBufferView | string, options?: ObjectPutOptions): Promise<StoredObject | null> {
    const hook = this.beforeSchemaWrite;
    if (hook !== null && key.includes("/schemas/")) {
      this.beforeSchemaWrite = null;
      await hook();
    }
    return super.put(key, value, options);
  }
}

describe("pushSchema", () => {
  it("replaces the empty schema of a new table, then leaves an identical push alone", async () => {
    const table = await createTable(new MemoryObjectStore(), { name: "t" });
    expect(await pushSchema(table, v1)).toEqual({ schemaId: 1, changed: true });
    expect(checkSchema((await table.schema()).schema)).toEqual(v1);
    expect(await pushSchema(table, v1)).toEqual({ schemaId: 1, changed: false });
    expect(await versions(table)).toEqual([0, 1]);
  });

  it("adds a version for a non-breaking change and for a lock-mode change alone", async () => {
    expect(diffSchemas(v1, v2).classification).toBe("widening");
    const table = await createTable(new MemoryObjectStore(), { name: "t", schema: json(v1) });
    expect(await pushSchema(table, v2)).toEqual({ schemaId: 1, changed: true });
    expect(await pushSchema(table, setLocked(v2, true))).toEqual({ schemaId: 2, changed: true });
    expect(checkSchema((await table.schema()).schema).locked).toBe(true);
  });

  it("refuses a breaking change with its diff unless forced", async () => {
    const table = await createTable(new MemoryObjectStore(), { name: "t", schema: json(v2) });
    const dropped = dropField(v2, ["name"]);
    const error = await pushSchema(table, dropped).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: "SCHEMA_BREAKING_CHANGE", details: { currentSchemaId: 0 } });
    const diff = (error as { details: { diff: SchemaDiff } }).details.diff;
    expect(diff.classification).toBe("breaking");
    expect(diff.changes.filter((c) => c.breaking).map((c) => c.kind)).toEqual(["removed"]);
    expect((error as Error).message).toContain("(1 breaking change)");
    expect(await versions(table)).toEqual([0]);
    expect(await pushSchema(table, dropped, { force: true })).toEqual({ schemaId: 1, changed: true });
  });

  it("fails with COMMIT_CONFLICT when another schema change lands between its diff and its commit", async () => {
    const store = new RacingStore();
    const table = await createTable(store, { name: "t", schema: json(v1) });
    const other = await openTable(store, { name: "t" });
    store.beforeSchemaWrite = () => other.evolveSchema(json(setLocked(v1, true)));
    await expect(pushSchema(table, v2)).rejects.toMatchObject({ code: "COMMIT_CONFLICT" });
    expect(checkSchema((await table.schema()).schema)).toEqual(setLocked(v1, true));
    // Pushed again, it is diffed against the schema that won.
    expect(await pushSchema(table, v2)).toEqual({ schemaId: 2, changed: true });
  });

  it("refuses a current schema that is not a schema", async () => {
    const table = await createTable(new MemoryObjectStore(), { name: "t", schema: { v: 0 } });
    await expect(pushSchema(table, v1)).rejects.toMatchObject({ code: "CORRUPT_METADATA" });
    expect(await versions(table)).toEqual([0]);
  });
});

describe("planSchemaPush", () => {
  it("evolves over no schema and compares fields by id plus the lock mode", () => {
    expect(planSchemaPush(null, v1, false)).toBe("evolve");
    expect(planSchemaPush({ schemaId: 3, schema: v1 }, v1, false)).toBe("unchanged");
    expect(planSchemaPush({ schemaId: 3, schema: v1 }, setLocked(v1, true), false)).toBe("evolve");
    expect(planSchemaPush({ schemaId: 3, schema: v2 }, dropField(v2, ["tags"]), true)).toBe("evolve");
    expect(() => planSchemaPush({ schemaId: 3, schema: v2 }, dropField(v2, ["tags"]), false)).toThrow(expect.objectContaining({ code: "SCHEMA_BREAKING_CHANGE" }));
  });

  it("treats only an empty object as the empty schema", () => {
    expect([{}, { fields: [] }, [], null, "{}"].map(isEmptySchema)).toEqual([true, false, false, false, false]);
  });
});
