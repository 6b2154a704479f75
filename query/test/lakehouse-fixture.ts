import { MemoryObjectStore, columnStats, parseBlockFooter, pathToName, shred, writeBlock, type JsonValue, type ShredOptions } from "@evodb/core";
import { createTable, encodeDeleteVector, type NewDataFile, type Table } from "@evodb/lakehouse";

/**
 * Test tables written the way the writer will write them: one `.evodb` block per group of
 * documents, snapshot statistics copied from the block footer (keyed by core's path names), row
 * deletes as delete vectors. The clock is injected so snapshot times are known.
 */
export class TableBuilder {
  private constructor(
    readonly store: MemoryObjectStore,
    readonly table: Table,
    private readonly clock: { now: number },
  ) {}

  static async create(name: string, startMs: number): Promise<TableBuilder> {
    const store = new MemoryObjectStore();
    const clock = { now: startMs };
    const table = await createTable(store, { name }, { clock: () => clock.now });
    return new TableBuilder(store, table, clock);
  }

  /** Moves the clock used for the next commit's timestamp. */
  setTime(ms: number): void {
    this.clock.now = ms;
  }

  /** Appends one block per group in one snapshot; returns the new files' paths and the snapshot id. */
  async append(groups: readonly JsonValue[][], shredOptions: (index: number) => ShredOptions = () => ({})): Promise<{ paths: string[]; snapshotId: number }> {
    const files: NewDataFile[] = [];
    for (const [index, docs] of groups.entries()) {
      const bytes = writeBlock(shred(docs, shredOptions(index)));
      const path = this.table.newDataFilePath();
      const byteSize = await this.table.writeFile(path, bytes);
      const footer = parseBlockFooter(bytes, bytes.length);
      const stats = Object.fromEntries(columnStats(footer).map(({ path: p, type: _t, hasBloomFilter: _b, ...s }) => [pathToName(p), { ...s }]));
      files.push({ path, rowCount: docs.length, byteSize, partition: {}, columnStats: stats });
    }
    const result = await this.table.append(files);
    return { paths: files.map((f) => f.path), snapshotId: result.snapshot.snapshotId };
  }

  /** Deletes rows by position from data files, in one snapshot. */
  async deleteRows(byFile: ReadonlyMap<string, number[]>): Promise<number> {
    const deleteFiles = [];
    for (const [dataFile, positions] of byFile) {
      const path = this.table.newDeleteFilePath("dv");
      const byteSize = await this.table.writeFile(path, encodeDeleteVector(positions));
      deleteFiles.push({ kind: "position" as const, path, dataFile, rowCount: positions.length, byteSize });
    }
    return (await this.table.deleteRows(deleteFiles)).snapshot.snapshotId;
  }
}
