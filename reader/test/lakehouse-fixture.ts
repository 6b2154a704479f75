import { MemoryObjectStore, columnStats, parseBlockFooter, pathToName, shred, writeBlock, type JsonValue } from "@evodb/core";
import { createTable, encodeDeleteVector, type NewDataFile, type PartitionSpec, type Table } from "@evodb/lakehouse";

/** A table in a memory store, one block per group of documents, with a snapshot per `append`. */
export interface Fixture {
  readonly store: MemoryObjectStore;
  readonly table: Table;
}

/** Writes one block per document group and returns the data file entries (with snapshot statistics). */
export async function writeBlocks(table: Table, groups: readonly JsonValue[][], partitionOf?: (docs: JsonValue[]) => Record<string, string | null>): Promise<NewDataFile[]> {
  const files: NewDataFile[] = [];
  for (const docs of groups) {
    const bytes = writeBlock(shred(docs));
    const partition = partitionOf?.(docs) ?? {};
    const path = table.newDataFilePath(partition);
    const byteSize = await table.writeFile(path, bytes);
    const footer = parseBlockFooter(bytes, bytes.length);
    const stats = Object.fromEntries(
      columnStats(footer).map(({ path: columnPath, type: _type, hasBloomFilter: _bloom, ...s }) => [pathToName(columnPath), { ...s }]),
    );
    files.push({ path, rowCount: docs.length, byteSize, partition, columnStats: stats });
  }
  return files;
}

/** Creates a table and appends the groups in one snapshot. */
export async function makeTable(groups: readonly JsonValue[][], options: { partitionSpec?: PartitionSpec; partitionOf?: (docs: JsonValue[]) => Record<string, string | null> } = {}): Promise<Fixture> {
  const store = new MemoryObjectStore();
  const table = await createTable(store, { name: "events", ...(options.partitionSpec ? { partitionSpec: options.partitionSpec } : {}) });
  await table.append(await writeBlocks(table, groups, options.partitionOf));
  return { store, table };
}

/** Deletes rows (by position) of one data file in a new snapshot. */
export async function deletePositions(table: Table, dataFile: string, positions: number[]): Promise<void> {
  const path = table.newDeleteFilePath("dv");
  const byteSize = await table.writeFile(path, encodeDeleteVector(positions));
  await table.deleteRows([{ kind: "position", path, dataFile, rowCount: positions.length, byteSize }]);
}
