import { MemoryObjectStore } from "@evodb/core";
import { describe, expect, it } from "vitest";
import { createTable, listTables } from "../src/index";

describe("listTables", () => {
  it("names the tables under a root, sorted, and ignores other keys and nested roots", async () => {
    const store = new MemoryObjectStore();
    for (const name of ["b", "a", "c_d"]) await createTable(store, { name });
    for (const name of ["t2", "t1"]) await createTable(store, { root: "tenant", name });
    await store.put("loose.json", "{}");
    await store.put("x/metadata/other.json", "{}");
    expect(await listTables(store)).toEqual(["a", "b", "c_d"]);
    expect(await listTables(store, "tenant")).toEqual(["t1", "t2"]);
    expect(await listTables(store, "nobody")).toEqual([]);
  });

  it("pages through a listing of more keys than one page holds", async () => {
    const store = new MemoryObjectStore();
    const names = Array.from({ length: 1100 }, (_, i) => `t${String(i).padStart(4, "0")}`);
    for (const name of names) await store.put(`${name}/metadata/current.json`, "{}");
    expect(await listTables(store)).toEqual(names);
  });
});
