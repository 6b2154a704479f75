import { RowDeletes, type Snapshot, type SnapshotSelector, type Table } from "@evodb/lakehouse";
import { decodeRows, type StoredRow } from "./block-rows";

/**
 * Exactly the live rows of a snapshot (docs/writer.md, "Reading live rows"): every row of every
 * data file, minus positions in delete vectors and versions killed by a key+LSN equality delete.
 * Yields one data file's live rows at a time, so memory stays bounded by the largest block.
 */
export async function* liveRows(table: Table, snapshot: Snapshot): AsyncGenerator<StoredRow[]> {
  const deletes = await RowDeletes.load(table, snapshot);
  for (const file of snapshot.dataFiles) {
    const bytes = new Uint8Array(await (await table.readFile(file.path)).arrayBuffer());
    const rows = decodeRows(bytes);
    const keys: string[] = new Array(rows.length);
    const lsns = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      keys[i] = rows[i]!.key;
      lsns[i] = rows[i]!.lsn;
    }
    const mask = deletes.liveMask(file.path, rows.length, keys, lsns);
    yield rows.filter((_, i) => mask[i] === 1);
  }
}

/** All live rows of the selected snapshot (latest by default) as one array; `[]` for an empty table. */
export async function readLiveRows(table: Table, selector: SnapshotSelector = {}): Promise<StoredRow[]> {
  const snapshot = await table.snapshot(selector);
  if (snapshot === null) return [];
  const out: StoredRow[] = [];
  for await (const rows of liveRows(table, snapshot)) out.push(...rows);
  return out;
}
