import { EvoDBError } from "@evodb/core";
import { RowDeletes, type DataFile, type NewDataFile, type Snapshot, type Table } from "@evodb/lakehouse";
import { decodeRows, encodeRows, type StoredRow } from "./block-rows";
import { lsnBounds, splitRows } from "./table-writer";

/** How {@link compact} picks and sizes its work (docs/writer.md, "Compaction"). */
export interface CompactionOptions {
  /** Size of the blocks it writes; files at or above it are left alone (default 4 MiB). */
  targetBytes?: number;
  /** Size of the smallest tier (default 64 KiB): tier t holds files of [base * factor^t, base * factor^(t+1)). */
  tierBaseBytes?: number;
  /** Ratio between tiers (default 4). */
  tierFactor?: number;
  /** Files a tier needs before it is merged (default 4). */
  minInputs?: number;
  /** Most files merged at once (default 64), bounding the memory of one run. */
  maxInputs?: number;
  /** Merge every live data file, applying and dropping every delete file. */
  full?: boolean;
}

/** What one compaction did; null from {@link compact} when there was nothing to do. */
export interface CompactionResult {
  snapshot: Snapshot;
  inputs: string[];
  outputs: string[];
  /** Rows dropped because deletes had killed them. */
  droppedRows: number;
}

function tierOf(bytes: number, base: number, factor: number): number {
  return bytes < base ? 0 : Math.floor(Math.log(bytes / base) / Math.log(factor)) + 1;
}

/** Files of one partition: compaction never merges across partitions. */
function partitionGroups(files: readonly DataFile[]): DataFile[][] {
  const groups = new Map<string, DataFile[]>();
  for (const file of files) {
    const key = JSON.stringify(Object.entries(file.partition).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  return [...groups.values()];
}

/** The files to merge: the smallest tier (of any partition) with enough files, or everything when `full`. */
function pickInputs(snapshot: Snapshot, options: Required<CompactionOptions>): DataFile[] {
  if (options.full) return snapshot.dataFiles.slice(0, options.maxInputs);
  let best: DataFile[] = [];
  let bestTier = Infinity;
  for (const group of partitionGroups(snapshot.dataFiles)) {
    const tiers = new Map<number, DataFile[]>();
    for (const file of group) {
      if (file.byteSize >= options.targetBytes) continue;
      const tier = tierOf(file.byteSize, options.tierBaseBytes, options.tierFactor);
      tiers.set(tier, [...(tiers.get(tier) ?? []), file]);
    }
    for (const [tier, files] of tiers) {
      if (files.length >= options.minInputs && tier < bestTier) {
        best = files.slice(0, options.maxInputs);
        bestTier = tier;
      }
    }
  }
  return best;
}

/**
 * Tiered compaction: merges small blocks of one size tier into blocks of about `targetBytes`, as
 * its own snapshot. Rows keep their key and LSN, so equality deletes stay correct for the merged
 * blocks, and earlier snapshots (time travel) still reference the old blocks until they expire.
 * A compaction that races another one over the same files fails with `COMMIT_CONFLICT` (nothing
 * lost; run it again); one that races an append or a flush simply rebases.
 */
export async function compact(table: Table, settings: CompactionOptions = {}): Promise<CompactionResult | null> {
  const options: Required<CompactionOptions> = {
    targetBytes: settings.targetBytes ?? 4 * 1024 * 1024,
    tierBaseBytes: settings.tierBaseBytes ?? 64 * 1024,
    tierFactor: settings.tierFactor ?? 4,
    minInputs: settings.minInputs ?? 4,
    maxInputs: settings.maxInputs ?? 64,
    full: settings.full ?? false,
  };
  if (options.minInputs < 2 || options.tierFactor <= 1) throw new EvoDBError("INVALID_ARGUMENT", "Compaction needs minInputs >= 2 and tierFactor > 1.");
  const snapshot = await table.snapshot();
  if (snapshot === null) return null;
  const inputs = pickInputs(snapshot, options);
  if (inputs.length === 0 || (!options.full && inputs.length < 2)) return null;

  const deletes = await RowDeletes.load(table, snapshot);
  const outputs: NewDataFile[] = [];
  let droppedRows = 0;
  try {
    for (const group of partitionGroups(inputs)) {
      const merged = await mergeFiles(table, group, deletes, options.targetBytes);
      outputs.push(...merged.outputs);
      droppedRows += merged.droppedRows;
    }
  } catch (error) {
    await removeOutputs(table, outputs);
    throw error;
  }
  const inputPaths = new Set(inputs.map((f) => f.path));
  const coversAll = inputs.length === snapshot.dataFiles.length;
  // Equality deletes may go only when every block they could apply to was rewritten (docs/lakehouse.md, section 7).
  const removeDeleteFiles = snapshot.deleteFiles
    .filter((f) => (f.kind === "position" ? inputPaths.has(f.dataFile) : options.full && coversAll))
    .map((f) => f.path);
  try {
    const result = await table.commit({ operation: "compaction", removeDataFiles: [...inputPaths], addDataFiles: outputs, removeDeleteFiles });
    return { snapshot: result.snapshot, inputs: [...inputPaths], outputs: outputs.map((f) => f.path), droppedRows };
  } catch (error) {
    await removeOutputs(table, outputs);
    throw error;
  }
}

/** The new blocks are referenced by nothing after a failure; removing them spares the orphan cleanup. */
async function removeOutputs(table: Table, outputs: readonly NewDataFile[]): Promise<void> {
  if (outputs.length > 0) await table.store.delete(outputs.map((f) => table.objectKey(f.path, "data")));
}

/** Live rows of files of one partition, rewritten as blocks of about `targetBytes` (rows keep key and LSN). */
async function mergeFiles(table: Table, files: readonly DataFile[], deletes: RowDeletes, targetBytes: number): Promise<{ outputs: NewDataFile[]; droppedRows: number }> {
  const rows: StoredRow[] = [];
  let inputRows = 0;
  let inputBytes = 0;
  for (const file of files) {
    const fileRows = decodeRows(new Uint8Array(await (await table.readFile(file.path)).arrayBuffer()));
    const mask = deletes.liveMask(file.path, fileRows.length, fileRows.map((r) => r.key), Float64Array.from(fileRows, (r) => r.lsn));
    for (let i = 0; i < fileRows.length; i++) if (mask[i] === 1) rows.push(fileRows[i]!);
    inputRows += fileRows.length;
    inputBytes += file.byteSize;
  }
  rows.sort((a, b) => a.lsn - b.lsn);
  const partition = files[0]!.partition;
  const outputs: NewDataFile[] = [];
  for (const chunk of splitRows(rows, targetBytes, inputBytes)) {
    const block = encodeRows(chunk);
    const path = table.newDataFilePath(partition);
    const byteSize = await table.writeFile(path, block.bytes);
    outputs.push({ path, rowCount: block.rowCount, byteSize, partition, columnStats: block.columnStats, lsnRange: lsnBounds(chunk) });
  }
  return { outputs, droppedRows: inputRows - rows.length };
}
