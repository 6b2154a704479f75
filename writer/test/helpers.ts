import type { JsonValue, WalEntry, WalOp } from "@evodb/core";
import { jsonDifference } from "@evodb/test-utils";
import { expect } from "vitest";
import { readLiveRows } from "../src/index";
import type { Table } from "@evodb/lakehouse";

/** The reference: key -> live document, changed by each WAL entry's meaning. */
export class LiveModel {
  readonly docs = new Map<number, JsonValue>();

  apply(entry: WalEntry): void {
    if (entry.op === "delete") this.docs.delete(entry.primaryKey as number);
    else this.docs.set(entry.primaryKey as number, entry.document!);
  }

  copy(): Map<number, JsonValue> {
    return new Map(this.docs);
  }
}

/** A WAL entry for table "t". */
export function walEntry(lsn: number, op: WalOp, key: number, document?: JsonValue): WalEntry {
  return document === undefined ? { table: "t", primaryKey: key, lsn, op, time: lsn } : { table: "t", primaryKey: key, lsn, op, document, time: lsn };
}

/** Checks that the table's live rows (latest, or one snapshot) are exactly the model's documents. */
export async function expectLiveRows(table: Table, want: ReadonlyMap<number, unknown>, snapshotId?: number): Promise<void> {
  const rows = await readLiveRows(table, snapshotId === undefined ? {} : { snapshotId });
  const got = new Map<string, JsonValue>();
  for (const row of rows) {
    expect(got.has(row.key), `key ${row.key} appears twice`).toBe(false);
    got.set(row.key, row.document);
  }
  expect([...got.keys()].sort()).toEqual([...want.keys()].map((k) => `n:${k}`).sort());
  for (const [key, doc] of want) {
    const difference = jsonDifference(got.get(`n:${key}`), doc);
    expect(difference, `key ${key}`).toBeUndefined();
  }
}
