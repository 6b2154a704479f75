import { EvoDBError } from "@evodb/core";
import { decodeDeleteVector } from "./delete-vector";
import { decodeEqualityDeletes, type KeyValue } from "./equality-deletes";
import type { Table } from "./table";
import type { Snapshot } from "./types";

/**
 * The row-level deletes of one snapshot, loaded once and applied per data file
 * (docs/lakehouse.md, "Reading live rows"). A row is live unless its position is in a delete
 * vector of its data file, or an equality delete has its key and a larger LSN.
 */
export class RowDeletes {
  private constructor(
    private readonly positions: Map<string, Uint32Array>,
    private readonly keyDeleteLsn: Map<string | number, number>,
  ) {}

  /** Loads every delete file of `snapshot` (one read per delete file). */
  static async load(table: Table, snapshot: Snapshot): Promise<RowDeletes> {
    const positions = new Map<string, Uint32Array>();
    const keyDeleteLsn = new Map<string | number, number>();
    for (const file of snapshot.deleteFiles) {
      const object = await table.readFile(file.path);
      if (file.kind === "position") {
        const vector = decodeDeleteVector(new Uint8Array(await object.arrayBuffer()));
        const previous = positions.get(file.dataFile);
        positions.set(file.dataFile, previous === undefined ? vector : mergeSorted(previous, vector));
      } else {
        const { entries } = decodeEqualityDeletes(await object.text(), table.prefix + file.path);
        for (const { key, lsn } of entries) {
          const current = keyDeleteLsn.get(key);
          if (current === undefined || lsn > current) keyDeleteLsn.set(key, lsn);
        }
      }
    }
    return new RowDeletes(positions, keyDeleteLsn);
  }

  /** Deleted positions of one data file (strictly ascending), or undefined when none. */
  deletedPositions(dataFile: string): Uint32Array | undefined {
    return this.positions.get(dataFile);
  }

  /** True when some snapshot delete applies by key (so rows need their key and LSN checked). */
  get hasEqualityDeletes(): boolean {
    return this.keyDeleteLsn.size > 0;
  }

  /**
   * A 0/1 mask of the live rows of one data file: `rowCount` rows, with each row's key and LSN
   * (needed only when {@link hasEqualityDeletes}). No per-row allocation.
   */
  liveMask(dataFile: string, rowCount: number, keys?: ArrayLike<KeyValue>, lsns?: ArrayLike<number>): Uint8Array {
    const mask = new Uint8Array(rowCount).fill(1);
    const deleted = this.positions.get(dataFile);
    if (deleted !== undefined) {
      for (let i = 0; i < deleted.length; i++) {
        const p = deleted[i]!;
        if (p < rowCount) mask[p] = 0;
      }
    }
    if (this.keyDeleteLsn.size > 0) {
      if (keys === undefined || lsns === undefined || keys.length !== rowCount || lsns.length !== rowCount) {
        throw new EvoDBError("INVALID_ARGUMENT", `The snapshot has equality deletes: pass the key and LSN of each of the ${rowCount} rows of ${dataFile}.`);
      }
      for (let i = 0; i < rowCount; i++) {
        const deleteLsn = this.keyDeleteLsn.get(keys[i]!);
        if (deleteLsn !== undefined && lsns[i]! < deleteLsn) mask[i] = 0;
      }
    }
    return mask;
  }
}

function mergeSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (n === 0 || out[n - 1] !== next) out[n++] = next;
  }
  return out.subarray(0, n);
}
