/** Shared test plumbing: the fixture folder, a store over it, and lancedb as the oracle. */
import { expect, inject } from "vitest";
import * as lancedb from "@lancedb/lancedb";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { MemoryObjectStore, type ObjectGetOptions, type ObjectStore } from "@evodb/core";

/** Folder holding the datasets written by scripts/make-fixtures.ts. */
export const fixtures = (): string => inject("lanceFixtures");

const stores = new Map<string, Promise<MemoryObjectStore>>();

/**
 * Core's MemoryObjectStore holding the dataset `<name>.lance` copied from the fixture folder, under
 * the key prefix `<name>.lance/`. (FsObjectStore keeps its own per-object header, so it cannot
 * read the plain files lancedb writes; the reader only sees the ObjectStore interface either way.)
 */
export function datasetStore(name: string): Promise<MemoryObjectStore> {
  let hit = stores.get(name);
  if (!hit) {
    hit = (async () => {
      const store = new MemoryObjectStore();
      const walk = async (dir: string, prefix: string): Promise<void> => {
        for (const e of await readdir(dir, { withFileTypes: true })) {
          if (e.isDirectory()) await walk(join(dir, e.name), `${prefix}${e.name}/`);
          else await store.put(`${prefix}${e.name}`, await readFile(join(dir, e.name)));
        }
      };
      await walk(join(fixtures(), `${name}.lance`), `${name}.lance/`);
      return store;
    })();
    stores.set(name, hit);
  }
  return hit;
}

/** Wraps a store and counts `get` requests and bytes returned. */
export class CountingStore implements ObjectStore {
  gets = 0;
  bytes = 0;
  constructor(private readonly inner: ObjectStore) {}
  async get(key: string, options?: ObjectGetOptions) {
    const body = await this.inner.get(key, options);
    if (body) {
      this.gets++;
      const data = await body.arrayBuffer();
      this.bytes += data.byteLength;
      return { ...body, arrayBuffer: async () => data };
    }
    return body;
  }
  head = (key: string) => this.inner.head(key);
  put: ObjectStore["put"] = (...args) => this.inner.put(...args);
  delete: ObjectStore["delete"] = (keys) => this.inner.delete(keys);
  list: ObjectStore["list"] = (options) => this.inner.list(options);
}

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

/** Row ids and distances of one nearest-neighbour answer, as lancedb returns them. */
export interface Hit {
  ids: number[];
  distances: number[];
}

/** How to ask lancedb for the oracle answer of one vector query. */
export interface OracleSearchOptions {
  k: number;
  metric: string;
  nprobes?: number;
  ef?: number;
  refine?: number;
  where?: string;
  /** Brute force over every row (no index), the ground truth for recall. */
  exact?: boolean;
}

/** The same vector query asked of lancedb, the oracle our searchers are compared with. */
export async function lancedbSearch(table: lancedb.Table, q: Float32Array, o: OracleSearchOptions): Promise<Hit> {
  let query = table.query().nearestTo(Array.from(q)).distanceType(o.metric as "l2").limit(o.k).withRowId();
  if (o.exact) query = query.bypassVectorIndex();
  else query = query.nprobes(o.nprobes ?? 20);
  if (o.ef !== undefined) query = query.ef(o.ef);
  if (o.refine) query = query.refineFactor(o.refine);
  if (o.where) query = query.where(o.where);
  const rows = await query.toArray();
  return { ids: rows.map((r: { _rowid: bigint }) => Number(r._rowid)), distances: rows.map((r: { _distance: number }) => r._distance) };
}

/** Our answer must have lancedb's row ids in lancedb's order, and its distances to 1e-4 (relative). */
export function expectSame(ours: { rowIds: Float64Array; distances: Float32Array }, theirs: Hit): void {
  expect(Array.from(ours.rowIds)).toEqual(theirs.ids);
  ours.distances.forEach((d, i) => expect(Math.abs(d - theirs.distances[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(theirs.distances[i]!))));
}
