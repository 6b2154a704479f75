import { Random } from "@evodb/test-utils";
import { expect, it } from "vitest";
import { createTable, encodeDeleteVector, encodeEqualityDeletes, RowDeletes, type CommitRequest, type Snapshot, type Table } from "../../src/index";
import { readRows, uniqueRoot, writeRows, type Row, type StoreFactory } from "./helpers";

/** What the model expects of one snapshot. */
interface Expected {
  snapshotId: number;
  timestampMs: number;
  files: string[];
  liveRows: string[];
}

const rowKey = (r: Row): string => `${r.id}@${r.lsn}`;

/** The live rows of a snapshot as the lakehouse API computes them (data files + delete files). */
async function liveRowsOf(table: Table, snapshot: Snapshot, fileCache: Map<string, Row[]>): Promise<string[]> {
  const deletes = await RowDeletes.load(table, snapshot);
  const out: string[] = [];
  for (const file of snapshot.dataFiles) {
    // Data files are immutable, so each is read once for the whole check.
    let rows = fileCache.get(file.path);
    if (rows === undefined) {
      rows = (await readRows(table, file.path)).rows;
      fileCache.set(file.path, rows);
    }
    const mask = deletes.liveMask(file.path, rows.length, rows.map((r) => r.id), Float64Array.from(rows, (r) => r.lsn));
    rows.forEach((r, i) => mask[i] === 1 && out.push(rowKey(r)));
  }
  return out.sort();
}

/**
 * A seeded random history of appends, updates, key deletes, position deletes and compactions. The
 * model is the plain set of live rows, changed by each operation's meaning (not by the delete
 * mechanism); afterwards every snapshot, read by id and by time, must give back exactly its files
 * and rows.
 */
export function timeTravelTests(label: string, makeStore: StoreFactory, steps: number): void {
  it(`reads back every snapshot of a random ${steps}-commit history (seeded)`, async () => {
    const random = new Random(0x7ab1e);
    let now = 1_700_000_000_000;
    const table = await createTable(await makeStore(), { root: uniqueRoot(label), name: "tt", keyPath: ["id"] }, { clock: () => now });
    const live = new Map<number, Row>();
    const fileRows = new Map<string, Row[]>();
    const positionDeletes = new Map<string, string[]>();
    let lsn = 0;
    let nextId = 0;
    const expected: Expected[] = [];

    for (let step = 0; step < steps; step++) {
      now += random.int(0, 3);
      const files = [...fileRows.keys()];
      const choice = random.int(0, 9);
      let request: CommitRequest;
      if (choice <= 3 || live.size === 0) {
        const added = [];
        for (let f = random.int(1, 3); f > 0; f--) {
          const rows = Array.from({ length: random.int(1, 5) }, () => ({ id: nextId++, lsn: ++lsn }));
          for (const r of rows) live.set(r.id, r);
          const file = await writeRows(table, rows);
          fileRows.set(file.path, rows);
          added.push(file);
        }
        request = { operation: "append", addDataFiles: added };
      } else if (choice <= 5) {
        // Update: new versions of some keys, plus equality deletes that kill the older versions.
        const ids = [...new Set(Array.from({ length: random.int(1, 3) }, () => random.pick([...live.keys()])))];
        const rows = ids.map((id) => ({ id, lsn: ++lsn }));
        for (const r of rows) live.set(r.id, r);
        const file = await writeRows(table, rows);
        fileRows.set(file.path, rows);
        const deletePath = table.newDeleteFilePath("eqd");
        const byteSize = await table.writeFile(deletePath, encodeEqualityDeletes(["id"], rows.map((r) => ({ key: r.id, lsn: r.lsn }))));
        request = { operation: "overwrite", addDataFiles: [file], addDeleteFiles: [{ kind: "equality", path: deletePath, rowCount: rows.length, byteSize }] };
      } else if (choice === 6) {
        const id = random.pick([...live.keys()]);
        live.delete(id);
        const deletePath = table.newDeleteFilePath("eqd");
        const byteSize = await table.writeFile(deletePath, encodeEqualityDeletes(["id"], [{ key: id, lsn: ++lsn }]));
        request = { operation: "delete", addDeleteFiles: [{ kind: "equality", path: deletePath, rowCount: 1, byteSize }], lsnRange: { min: lsn, max: lsn } };
      } else if (choice <= 8) {
        // Position delete of some live rows of one file.
        const path = random.pick(files);
        const rows = fileRows.get(path)!;
        const positions = rows.flatMap((r, i) => (live.get(r.id) === r && random.chance(0.5) ? [i] : []));
        if (positions.length === 0) continue;
        for (const p of positions) live.delete(rows[p]!.id);
        const deletePath = table.newDeleteFilePath("dv");
        const byteSize = await table.writeFile(deletePath, encodeDeleteVector(positions));
        positionDeletes.set(path, [...(positionDeletes.get(path) ?? []), deletePath]);
        request = { operation: "delete", addDeleteFiles: [{ kind: "position", path: deletePath, dataFile: path, rowCount: positions.length, byteSize }] };
      } else {
        if (files.length < 2) continue;
        // Compaction: copy the live rows (with their LSNs) of some files into one, dropping the
        // delete vectors it applied. The live set does not change.
        const inputs = files.filter(() => random.chance(0.5)).slice(0, 6);
        if (inputs.length < 2) continue;
        const rows = inputs.flatMap((p) => fileRows.get(p)!.filter((r) => live.get(r.id) === r));
        const file = await writeRows(table, rows);
        const removeDeleteFiles = inputs.flatMap((p) => positionDeletes.get(p) ?? []);
        for (const p of inputs) {
          fileRows.delete(p);
          positionDeletes.delete(p);
        }
        fileRows.set(file.path, rows);
        request = { operation: "compaction", removeDataFiles: inputs, addDataFiles: [file], removeDeleteFiles };
      }
      const { snapshot } = await table.commit(request);
      expected.push({ snapshotId: snapshot.snapshotId, timestampMs: snapshot.timestampMs, files: [...fileRows.keys()].sort(), liveRows: [...live.values()].map(rowKey).sort() });
    }

    const history = await table.history();
    const fileCache = new Map<string, Row[]>();
    expect(history.map((h) => h.snapshotId)).toEqual(expected.map((e) => e.snapshotId));
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i]!;
      const byId = (await table.snapshot({ snapshotId: want.snapshotId }))!;
      expect(byId.dataFiles.map((f) => f.path).sort()).toEqual(want.files);
      expect(await liveRowsOf(table, byId, fileCache)).toEqual(want.liveRows);
      // As of its own time: the last snapshot with that timestamp (several may share one).
      const lastAtThatTime = expected.filter((e) => e.timestampMs <= want.timestampMs).at(-1)!;
      expect((await table.snapshot({ asOfMs: want.timestampMs }))!.snapshotId).toBe(lastAtThatTime.snapshotId);
      expect(history[i]!.parentId).toBe(i === 0 ? null : expected[i - 1]!.snapshotId);
    }
  });
}
