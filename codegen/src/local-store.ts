import { resolve } from "node:path";
import type { ObjectStore } from "@evodb/core";
import { FsObjectStore } from "@evodb/core/node";
import { openTable, POINTER_PATH, type Table } from "@evodb/lakehouse";

/** The embedded default: a lakehouse folder on the local filesystem (`--store DIR`, default `./.evodb`). */
export function openLocalStore(cwd: string, dir: string): ObjectStore {
  return new FsObjectStore(resolve(cwd, dir));
}

/**
 * Names of the tables in a store: every `<name>/metadata/current.json` at the root. One listing of
 * the store, page by page; fine for a local folder, and what R2 would bill as a few list calls.
 */
export async function listTables(store: ObjectStore): Promise<string[]> {
  const suffix = `/${POINTER_PATH}`;
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(cursor === undefined ? {} : { cursor });
    for (const object of page.objects) {
      const name = object.key.slice(0, -suffix.length);
      if (object.key.endsWith(suffix) && name.length > 0 && !name.includes("/")) names.push(name);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return names.sort();
}

export function openLocalTable(store: ObjectStore, name: string): Promise<Table> {
  return openTable(store, { name });
}
