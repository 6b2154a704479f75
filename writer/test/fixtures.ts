import type { ObjectStore } from "@evodb/core";
import { createTable as createLakehouseTable, type Table } from "@evodb/lakehouse";

let counter = 0;

/** A fresh keyed table with a unique root. */
export function createTable(store: ObjectStore): Promise<Table> {
  counter++;
  return createLakehouseTable(store, { root: `writer-${Date.now().toString(36)}-${counter}`, name: "t", keyPath: ["id"] });
}

/** Keys under one directory of a table. */
export async function listTableKeys(store: ObjectStore, table: Table, directory: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix: table.prefix + directory, cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return keys;
}
