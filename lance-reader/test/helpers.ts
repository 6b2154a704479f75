/** Shared test plumbing: the fixture folder, a store over it, and lancedb as the oracle. */
import { inject } from "vitest";
import * as lancedb from "@lancedb/lancedb";
import { LocalReadStore } from "./local-store";

/** Folder holding the datasets written by scripts/make-fixtures.ts. */
export const fixtures = (): string => inject("lanceFixtures");

/** A store rooted at the fixture folder (datasets are `<name>.lance`). */
export const fixtureStore = (): LocalReadStore => new LocalReadStore(fixtures());

let connection: Promise<lancedb.Connection> | null = null;
/** lancedb connected to the same folder. */
export function oracle(): Promise<lancedb.Connection> {
  connection ??= lancedb.connect(fixtures());
  return connection;
}

/** Converts a lancedb (Arrow) value into the plain value our `valueAt` returns. */
export function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return Array.from(value);
  if (typeof value === "object" && value !== null && Symbol.iterator in value && typeof (value as { toArray?: unknown }).toArray === "function") {
    return Array.from(value as Iterable<unknown>, (v) => (typeof v === "number" ? v : plain(v)));
  }
  return value;
}

/** Lancedb rows as plain objects (bigint for 64-bit ints, arrays for lists and binary). */
export async function oracleRows(table: string, options: { version?: number; columns?: string[]; where?: string } = {}): Promise<Record<string, unknown>[]> {
  const t = await (await oracle()).openTable(table);
  if (options.version !== undefined) await t.checkout(options.version);
  let q = t.query().withRowId();
  if (options.columns) q = q.select(options.columns);
  if (options.where) q = q.where(options.where);
  const rows = await q.toArray();
  return rows.map((r: Record<string, unknown>) => Object.fromEntries(Object.entries(r.toJSON ? (r.toJSON as () => Record<string, unknown>)() : r).map(([k, v]) => [k, plain(v)])));
}

/** Our row values in the same plain shape. */
export function ours(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  return value;
}
