import type { ObjectStore } from "@evodb/core";
import type { NewDataFile, Table } from "../../src/index";

/** Builds the store a suite runs on; called once per test. */
export type StoreFactory = () => ObjectStore | Promise<ObjectStore>;

/** Sizes of the heavier tests, so a slower backend can run a smaller (still meaningful) version. */
export interface SuiteOptions {
  committers: number;
  commitsPerCommitter: number;
}

let counter = 0;

/** A root prefix no other test uses, so tests can share one bucket. */
export function uniqueRoot(label: string): string {
  counter++;
  return `lh-${label}-${Date.now().toString(36)}-${counter}`;
}

/** A test row: its key and the LSN of the version it holds. */
export interface Row {
  id: number;
  lsn: number;
}

/** Writes a data file holding `rows` (JSON stands in for an `.evodb` block here) and describes it. */
export async function writeRows(table: Table, rows: Row[], extra: Record<string, unknown> = {}): Promise<NewDataFile> {
  const path = table.newDataFilePath();
  const byteSize = await table.writeFile(path, JSON.stringify({ rows, ...extra }));
  const ids = rows.map((r) => r.id);
  return {
    path,
    rowCount: rows.length,
    byteSize,
    partition: {},
    columnStats: rows.length === 0 ? {} : { id: { min: Math.min(...ids), max: Math.max(...ids), nullCount: 0 } },
  };
}

/** Reads back what {@link writeRows} wrote. */
export async function readRows(table: Table, path: string): Promise<{ rows: Row[] } & Record<string, unknown>> {
  return JSON.parse(await (await table.readFile(path)).text()) as { rows: Row[] } & Record<string, unknown>;
}

/** A file description without writing anything (for commit-only tests). */
export function fakeFile(path: string, rowCount = 1): NewDataFile {
  return { path, rowCount, byteSize: 10, partition: {}, columnStats: {} };
}

/** Every object key in the store under `prefix` (paged). */
export async function listKeys(store: ObjectStore, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix, cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return keys;
}
