/**
 * A Lance dataset at one version: open, schema, row count, scan (projection, filter, limit) and
 * take by row address. Row addresses are `fragment_id * 2^32 + offset` (Lance's `_rowid` without
 * stable row ids), returned as numbers: fragment ids are limited to 2^21 so they stay exact.
 */
import { EvoDBError, type ObjectStore } from "@evodb/core";
import { concatColumns, gather } from "./column-ops";
import { valueAt, type CellValue, type Column } from "./column";
import { applyCondition, conditions, type Filter } from "./filter";
import { FragmentReader } from "./fragment";
import { listVersions, loadManifest, readIndexSection, type IndexEntry, type Manifest } from "./manifest";
import type { LanceField, LanceSchema } from "./schema";

/** Rows further apart than this are read as separate runs by `take`. */
const TAKE_RUN_GAP = 256;

/** Options of {@link LanceDataset.scan}. */
export interface ScanOptions {
  /** Top-level column names to return (default: all). */
  columns?: string[];
  /** Rows must satisfy every condition. */
  filter?: Filter;
  /** Stop after this many rows. */
  limit?: number;
}

/** Rows returned by a scan or take: one typed column per projected field plus the row addresses. */
export interface RowBatch {
  readonly length: number;
  readonly columns: Record<string, Column>;
  /** Row address of each row (`fragment * 2^32 + offset`). */
  readonly rowIds: Float64Array;
}

/** Turns a batch into row objects (for tests and small results; hot paths use the columns). */
export function toRows(batch: RowBatch): Record<string, CellValue>[] {
  const names = Object.keys(batch.columns);
  return Array.from({ length: batch.length }, (_, i) => Object.fromEntries(names.map((n) => [n, valueAt(batch.columns[n]!, i)])));
}

/** Opens the dataset at `prefix` (e.g. `tables/items.lance`), latest version unless `version` is given. */
export async function openDataset(store: ObjectStore, prefix: string, options: { version?: number } = {}): Promise<LanceDataset> {
  const root = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
  const ds = new LanceDataset(store, root, await loadManifest(store, root, options.version));
  await Promise.all(ds.fragments.map((f) => f.resolveRows()));
  return ds;
}

/** One version of a Lance dataset. */
export class LanceDataset {
  /** Readers of this version's fragments. */
  readonly fragments: FragmentReader[];

  constructor(
    readonly store: ObjectStore,
    /** Dataset root, ending with `/` (or empty). */
    readonly root: string,
    readonly manifest: Manifest,
  ) {
    this.fragments = manifest.fragments.map((f) => new FragmentReader(store, root, f));
  }

  /** The version number of this snapshot. */
  get version(): number {
    return this.manifest.version;
  }

  /** Schema with field ids. */
  get schema(): LanceSchema {
    return this.manifest.schema;
  }

  /** Every version of the dataset still stored, ascending. */
  async versions(): Promise<number[]> {
    return (await listVersions(this.store, this.root)).map((v) => v.version);
  }

  /** Another version of the same dataset (time travel). */
  async checkout(version: number): Promise<LanceDataset> {
    return openDataset(this.store, this.root, { version });
  }

  /** Indices recorded in this version's manifest. */
  indices(): IndexEntry[] {
    return readIndexSection(this.manifest);
  }

  /** A top-level field by name. */
  field(name: string): LanceField {
    const f = this.schema.fields.find((x) => x.name === name);
    if (!f) throw new EvoDBError("INVALID_ARGUMENT", `column ${name} does not exist; columns are ${this.schema.fields.map((x) => x.name).join(", ")}`);
    return f;
  }

  /** Rows visible in this version (deleted rows excluded); with a filter, the rows that match it. */
  async countRows(filter?: Filter): Promise<number> {
    if (filter === undefined) {
      let n = 0;
      for (const f of this.fragments) n += f.physicalRows - (await f.deletedRows());
      return n;
    }
    return (await this.scan({ columns: [], filter })).length;
  }

  /** Visible rows of one fragment that pass `filter`, as offsets. */
  async selectRows(fragment: FragmentReader, filter?: Filter): Promise<Uint32Array> {
    const rows = fragment.physicalRows;
    const mask = new Uint8Array(rows).fill(1);
    const deleted = await fragment.deletedMask();
    if (deleted) for (let i = 0; i < rows; i++) if (deleted[i]) mask[i] = 0;
    for (const c of conditions(filter)) applyCondition(c, await fragment.readField(this.field(c.column), 0, rows), mask);
    let n = 0;
    for (let i = 0; i < rows; i++) n += mask[i]!;
    const out = new Uint32Array(n);
    for (let i = 0, k = 0; i < rows; i++) if (mask[i]) out[k++] = i;
    return out;
  }

  /** Reads rows in fragment order: projection, filter and limit. */
  async scan(options: ScanOptions = {}): Promise<RowBatch> {
    const fields = (options.columns ?? this.schema.fields.map((f) => f.name)).map((n) => this.field(n));
    const limit = options.limit ?? Infinity;
    const parts: Record<string, Column[]> = Object.fromEntries(fields.map((f) => [f.name, []]));
    const ids: Float64Array[] = [];
    let total = 0;
    for (const fragment of this.fragments) {
      if (total >= limit) break;
      let rows = await this.selectRows(fragment, options.filter);
      if (total + rows.length > limit) rows = rows.subarray(0, limit - total);
      if (rows.length === 0) continue;
      total += rows.length;
      ids.push(Float64Array.from(rows, (r) => fragment.rowAddress(r)));
      const from = rows[0]!, to = rows[rows.length - 1]! + 1;
      const local = rows.map((r) => r - from);
      for (const f of fields) parts[f.name]!.push(gather(await fragment.readField(f, from, to), local));
    }
    return this.batch(fields, parts, ids, total);
  }

  private batch(fields: LanceField[], parts: Record<string, Column[]>, ids: Float64Array[], total: number): RowBatch {
    const rowIds = new Float64Array(total);
    let at = 0;
    for (const chunk of ids) {
      rowIds.set(chunk, at);
      at += chunk.length;
    }
    const columns: Record<string, Column> = {};
    for (const f of fields) {
      const p = parts[f.name]!;
      columns[f.name] = p.length > 0 ? concatColumns(p) : emptyColumn(f);
    }
    return { length: total, columns, rowIds };
  }

  /**
   * Rows by address, in the order given. Addresses of deleted rows or outside a fragment are
   * skipped (never returned), so `rowIds` of the result says which rows came back.
   */
  async take(rowIds: ArrayLike<number>, options: { columns?: string[] } = {}): Promise<RowBatch> {
    const fields = (options.columns ?? this.schema.fields.map((f) => f.name)).map((n) => this.field(n));
    const byId = new Map(this.fragments.map((f) => [f.fragment.id, f]));
    const kept: number[] = [];
    const groups = new Map<FragmentReader, number[]>();
    for (let i = 0; i < rowIds.length; i++) {
      const id = rowIds[i]!;
      const fragment = byId.get(Math.floor(id / 2 ** 32));
      const offset = id % 2 ** 32;
      if (!fragment || !Number.isInteger(id) || offset >= fragment.physicalRows) continue;
      const deleted = await fragment.deletedMask();
      if (deleted && deleted[offset]) continue;
      kept.push(id);
      let g = groups.get(fragment);
      if (!g) groups.set(fragment, (g = []));
      g.push(offset);
    }
    // Per fragment, read runs of nearby rows (so a few scattered rows cost a few chunks, not the
    // whole span), then gather everything back into request order.
    const columns: Record<string, Column> = {};
    const position = new Map<number, number>();
    const orderParts: Record<string, Column[]> = Object.fromEntries(fields.map((f) => [f.name, []]));
    let base = 0;
    for (const [fragment, offsets] of groups) {
      const sorted = Uint32Array.from(new Set(offsets)).sort();
      const runs: Uint32Array[] = [];
      for (let i = 0, start = 0; i < sorted.length; i++) {
        if (i + 1 === sorted.length || sorted[i + 1]! - sorted[i]! > TAKE_RUN_GAP) {
          runs.push(sorted.subarray(start, i + 1));
          start = i + 1;
        }
      }
      for (const f of fields) {
        for (const run of runs) {
          const from = run[0]!;
          orderParts[f.name]!.push(gather(await fragment.readField(f, from, run[run.length - 1]! + 1), run.map((o) => o - from)));
        }
      }
      sorted.forEach((o, i) => position.set(fragment.rowAddress(o), base + i));
      base += sorted.length;
    }
    const order = Uint32Array.from(kept, (id) => position.get(id)!);
    for (const f of fields) {
      const p = orderParts[f.name]!;
      columns[f.name] = p.length > 0 ? gather(concatColumns(p), order) : emptyColumn(f);
    }
    return { length: kept.length, columns, rowIds: Float64Array.from(kept) };
  }
}

function emptyColumn(field: LanceField): Column {
  if (field.type.kind === "binary") return { kind: "binary", type: field.type, length: 0, validity: null, offsets: new Uint32Array(1), bytes: new Uint8Array(0) };
  return { kind: "fixed", type: field.type, length: 0, validity: null, values: new Float64Array(0), dimension: field.type.kind === "fixed_size_list" ? field.type.dimension : 1 };
}
