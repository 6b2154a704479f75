import { resolve } from "node:path";
import type { ObjectStore } from "@evodb/core";
import { FsObjectStore } from "@evodb/core/node";
import { openTable, type Table } from "@evodb/lakehouse";

/** The embedded default: a lakehouse folder on the local filesystem (`--store DIR`, default `./.evodb`). */
export function openLocalStore(cwd: string, dir: string): ObjectStore {
  return new FsObjectStore(resolve(cwd, dir));
}

/** Opens table `name` at the store's top (the CLI keeps no root). */
export function openLocalTable(store: ObjectStore, name: string): Promise<Table> {
  return openTable(store, { name });
}
