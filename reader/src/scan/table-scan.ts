import {
  EvoDBError,
  Tag,
  decodeColumnChunk,
  openBlock,
  pathToName,
  selectColumns,
  type BlockFooter,
  type ShreddedBatch,
  type ShreddedColumn,
} from "@evodb/core";
import { RowDeletes, selectSnapshot, type DataFile, type Snapshot, type Table, type TableMetadata } from "@evodb/lakehouse";
import { BatchView } from "../batch-view";
import { filterRows } from "../evaluate";
import { referencedPaths, type Expr, type SnapshotSelector } from "../query-types";
import { allRows } from "../vector";
import { pruneReason } from "../zone-map";
import { CachingObjectStore, type ByteCache } from "./byte-cache";
import { footerLookup, partitionLookup, snapshotStatsLookup } from "./zone-lookups";

/** Limits that stop a scan with `LIMIT_EXCEEDED` before it can exhaust a Worker. */
export interface ScanLimits {
  /** Most bytes of blocks (footers and column chunks, cached or not) one scan may read. */
  readonly maxBytesScanned?: number;
  /** Most milliseconds a scan may run, checked before each block. */
  readonly maxTimeMs?: number;
}

/** Options of a {@link TableScan}. */
export interface ScanOptions {
  readonly snapshot?: SnapshotSelector;
  /** Rows must satisfy this; blocks that cannot are pruned, the rest are filtered. */
  readonly where?: Expr;
  /** Paths to read (each with its subtree); all columns when absent. */
  readonly paths?: readonly (readonly string[])[];
  /** Immutable reads (footers, column chunks) go through this cache. */
  readonly cache?: ByteCache;
  readonly limits?: ScanLimits;
  /** Use zone maps, bloom filters and partitions (default true; false is for testing the pruner). */
  readonly prune?: boolean;
  /** Milliseconds clock for stage timings and the time limit (default `performance.now`). */
  readonly clock?: () => number;
}

/** Why a block was not read. */
export type PruneKind = "partition" | "zone-map" | "bloom";

/** What a scan did; every field is a count or a sum over the blocks of the snapshot. */
export interface ScanStats {
  snapshotId: number | null;
  blocksTotal: number;
  blocksPrunedByPartition: number;
  blocksPrunedByZoneMap: number;
  blocksPrunedByBloom: number;
  /** Blocks whose filter columns were read but had no matching live row (projection not read). */
  blocksWithoutMatch: number;
  blocksRead: number;
  /** Sum of the sizes of the snapshot's data files. */
  tableBytes: number;
  /** Bytes of blocks read, from the store or the cache. */
  bytesRead: number;
  /** Of those, bytes fetched from the store (cache misses). */
  bytesFetched: number;
  cacheHits: number;
  cacheMisses: number;
  /** Requests sent to the store. */
  requests: number;
  rowsScanned: number;
  timeMs: { snapshot: number; footers: number; read: number; filter: number };
}

/** One block's contribution: its rows (all columns read) and the live rows matching `where`. */
export interface ScanBlock {
  readonly file: DataFile;
  readonly batch: ShreddedBatch;
  readonly selection: Uint32Array;
  /** True when `selection` already has `where` applied. */
  readonly filtered: boolean;
}

/** A planned file: its object key, or why the snapshot statistics already excluded it. */
export interface PlannedFile {
  readonly file: DataFile;
  readonly key: string;
  readonly prunedBy?: PruneKind;
}

/** A planned file after footer pruning, with the bytes of the column chunks a scan would read. */
export interface ExplainedFile extends PlannedFile {
  readonly chunkBytes?: number;
}

/** A resolved snapshot and its files. */
export interface ScanPlan {
  readonly metadata: TableMetadata;
  readonly snapshot: Snapshot | null;
  readonly files: readonly PlannedFile[];
}

/** Bytes of the first suffix read of a block: footers of typical blocks fit; larger ones cost a second read. */
const FOOTER_READ_SIZE = 16 * 1024;
/** Chunks separated by at most this many bytes are fetched in one range request. */
const COALESCE_GAP = 4096;

/** Stats of a scan that has not read anything yet (engines that report more extend these). */
export function emptyScanStats(): ScanStats {
  return {
    snapshotId: null,
    blocksTotal: 0,
    blocksPrunedByPartition: 0,
    blocksPrunedByZoneMap: 0,
    blocksPrunedByBloom: 0,
    blocksWithoutMatch: 0,
    blocksRead: 0,
    tableBytes: 0,
    bytesRead: 0,
    bytesFetched: 0,
    cacheHits: 0,
    cacheMisses: 0,
    requests: 0,
    rowsScanned: 0,
    timeMs: { snapshot: 0, footers: 0, read: 0, filter: 0 },
  };
}

/**
 * The one scanner of EvoDB (DESIGN.md): snapshot -> partition pruning -> zone maps from snapshot
 * statistics -> per block: footer (one suffix read, cached) -> zone maps and bloom filters from the
 * footer -> live rows (delete vectors) -> read only the filter columns, filter -> read the rest of
 * the projection only for blocks with a match (late materialisation) -> yield.
 */
export class TableScan {
  readonly stats: ScanStats = emptyScanStats();
  private readonly store: CachingObjectStore;
  private readonly clock: () => number;
  private readonly started: number;
  private planned: ScanPlan | undefined;

  constructor(
    private readonly table: Table,
    private readonly options: ScanOptions = {},
  ) {
    this.store = new CachingObjectStore(table.store, options.cache);
    this.clock = options.clock ?? (() => performance.now());
    this.started = this.clock();
  }

  /** Resolves the snapshot and prunes files by partition values and snapshot statistics (no block I/O). */
  async plan(): Promise<ScanPlan> {
    if (this.planned) return this.planned;
    const t0 = this.clock();
    const metadata = await this.table.metadata();
    const ref = selectSnapshot(metadata, toLakehouseSelector(this.options.snapshot));
    const snapshot = ref === null ? null : await this.table.readSnapshot(ref);
    const where = this.options.prune === false ? undefined : this.options.where;
    const files = (snapshot?.dataFiles ?? []).map((file): PlannedFile => {
      const key = this.table.objectKey(file.path, "data");
      this.stats.blocksTotal++;
      this.stats.tableBytes += file.byteSize;
      if (where === undefined) return { file, key };
      if (pruneReason(where, partitionLookup(file, metadata.partitionSpec)) !== undefined) {
        this.stats.blocksPrunedByPartition++;
        return { file, key, prunedBy: "partition" };
      }
      if (pruneReason(where, snapshotStatsLookup(file, pathToName)) !== undefined) {
        this.stats.blocksPrunedByZoneMap++;
        return { file, key, prunedBy: "zone-map" };
      }
      return { file, key };
    });
    this.stats.snapshotId = snapshot?.snapshotId ?? null;
    this.stats.timeMs.snapshot += this.clock() - t0;
    this.planned = { metadata, snapshot, files };
    return this.planned;
  }

  /**
   * The plan with footer-level pruning applied, without reading any column chunk: for EXPLAIN.
   * Reads each surviving footer once (through the cache), like a real scan would.
   */
  async explainFiles(): Promise<ExplainedFile[]> {
    const plan = await this.plan();
    const where = this.options.prune === false ? undefined : this.options.where;
    const needed = where === undefined ? this.options.paths : this.options.paths && [...this.options.paths, ...referencedPaths([where])];
    const out: ExplainedFile[] = [];
    for (const planned of plan.files) {
      if (planned.prunedBy !== undefined) {
        out.push(planned);
        continue;
      }
      const { footer } = await openBlock(this.store, planned.key, { footerReadSize: FOOTER_READ_SIZE });
      this.syncCounters();
      const reason = where === undefined ? undefined : pruneReason(where, footerLookup(footer));
      if (reason === "zone-map") this.stats.blocksPrunedByZoneMap++;
      if (reason === "bloom") this.stats.blocksPrunedByBloom++;
      const chunkBytes = selectColumns(footer, needed).reduce((sum, i) => sum + footer.columns[i]!.chunk.length, 0);
      out.push(reason === undefined ? { ...planned, chunkBytes } : { ...planned, prunedBy: reason });
    }
    return out;
  }

  /** The blocks of the snapshot, one at a time (bounded memory: one block's columns at once). */
  async *blocks(): AsyncGenerator<ScanBlock> {
    const plan = await this.plan();
    if (plan.snapshot === null) return;
    const deletes = plan.snapshot.deleteFiles.length > 0 ? await RowDeletes.load(this.table, plan.snapshot) : undefined;
    const where = this.options.where;
    const filterPaths = where === undefined ? [] : referencedPaths([where]);
    const toRead = plan.files.filter((f) => f.prunedBy === undefined);
    let nextFooter = toRead.length > 0 ? this.prefetchFooter(toRead[0]!.key) : undefined;
    for (let index = 0; index < toRead.length; index++) {
      const planned = toRead[index]!;
      this.checkTime();
      const t0 = this.clock();
      const { footer } = await nextFooter!;
      // Fetch the next footer while this block is read and decoded (one request in flight ahead).
      nextFooter = index + 1 < toRead.length ? this.prefetchFooter(toRead[index + 1]!.key) : undefined;
      this.syncCounters();
      this.stats.timeMs.footers += this.clock() - t0;
      this.checkBytes(0);
      if (where !== undefined && this.options.prune !== false) {
        const reason = pruneReason(where, footerLookup(footer));
        if (reason === "zone-map") this.stats.blocksPrunedByZoneMap++;
        if (reason === "bloom") this.stats.blocksPrunedByBloom++;
        if (reason !== undefined) continue;
      }
      const fetched = new Map<number, ShreddedColumn>();
      let mask: Uint8Array | undefined;
      if (deletes?.hasEqualityDeletes) {
        // Key+LSN equality deletes (docs/writer.md, section 4) need each row's key and LSN.
        await this.readChunks(planned.key, footer, selectColumns(footer, [KEY_PATH, LSN_PATH]), fetched);
        const { keys, lsns } = rowVersions(footer, fetched, planned.key);
        mask = deletes.liveMask(planned.file.path, footer.rowCount, keys, lsns);
      } else if (deletes !== undefined) {
        mask = deletes.liveMask(planned.file.path, footer.rowCount);
      }
      let selection = mask === undefined ? allRows(footer.rowCount) : maskToSelection(mask);
      if (where !== undefined) {
        await this.readChunks(planned.key, footer, selectColumns(footer, filterPaths), fetched);
        const t1 = this.clock();
        const view = new BatchView({ rowCount: footer.rowCount, columns: [...fetched.values()] });
        selection = filterRows({ view }, where, selection);
        this.stats.timeMs.filter += this.clock() - t1;
      }
      this.stats.rowsScanned += footer.rowCount;
      if (selection.length === 0) {
        this.stats.blocksWithoutMatch++;
        continue;
      }
      const rest = selectColumns(footer, this.options.paths).filter((i) => !fetched.has(i));
      await this.readChunks(planned.key, footer, rest, fetched);
      this.stats.blocksRead++;
      const columns = [...fetched.keys()].sort((a, b) => a - b).map((i) => fetched.get(i)!);
      yield { file: planned.file, batch: { rowCount: footer.rowCount, columns }, selection, filtered: where !== undefined };
    }
  }

  private prefetchFooter(key: string): Promise<{ footer: BlockFooter }> {
    const pending = openBlock(this.store, key, { footerReadSize: FOOTER_READ_SIZE });
    // A scan that stops early (LIMIT met) never awaits the last prefetch; its failure must not
    // surface as an unhandled rejection. Awaited normally, the same promise still rejects.
    pending.catch(() => undefined);
    return pending;
  }

  /** Range-reads and decodes the given columns, merging nearby chunks into one request. */
  private async readChunks(key: string, footer: BlockFooter, indexes: readonly number[], into: Map<number, ShreddedColumn>): Promise<void> {
    const wanted = indexes.filter((i) => !into.has(i)).sort((a, b) => footer.columns[a]!.chunk.offset - footer.columns[b]!.chunk.offset);
    if (wanted.length === 0) return;
    const groups: { start: number; end: number; members: number[] }[] = [];
    for (const i of wanted) {
      const { offset, length } = footer.columns[i]!.chunk;
      const last = groups[groups.length - 1];
      if (last !== undefined && offset - last.end <= COALESCE_GAP) {
        last.end = Math.max(last.end, offset + length);
        last.members.push(i);
      } else groups.push({ start: offset, end: offset + length, members: [i] });
    }
    this.checkBytes(groups.reduce((sum, g) => sum + g.end - g.start, 0));
    const t0 = this.clock();
    await Promise.all(
      groups.map(async (group) => {
        const object = await this.store.get(key, { range: { offset: group.start, length: group.end - group.start } });
        if (object === null) throw new EvoDBError("NOT_FOUND", `Block ${key} is gone; its snapshot was probably expired. Re-run the query on a newer snapshot.`);
        const bytes = new Uint8Array(await object.arrayBuffer());
        if (bytes.length !== group.end - group.start) {
          throw new EvoDBError("CORRUPT_BLOCK", `Short range read of ${key}: ${bytes.length} of ${group.end - group.start} bytes.`);
        }
        for (const i of group.members) {
          const { offset, length } = footer.columns[i]!.chunk;
          into.set(i, decodeColumnChunk(footer, i, bytes.subarray(offset - group.start, offset - group.start + length)));
        }
      }),
    );
    this.syncCounters();
    this.stats.timeMs.read += this.clock() - t0;
  }

  private syncCounters(): void {
    const c = this.store.counters;
    this.stats.bytesRead = c.bytesFetched + c.bytesFromCache;
    this.stats.bytesFetched = c.bytesFetched;
    this.stats.cacheHits = c.hits;
    this.stats.cacheMisses = c.misses;
    this.stats.requests = c.requests;
  }

  private checkBytes(next: number): void {
    const max = this.options.limits?.maxBytesScanned;
    if (max !== undefined && this.stats.bytesRead + next > max) {
      throw new EvoDBError("LIMIT_EXCEEDED", `The query would read more than ${max} bytes of blocks; add a more selective WHERE, select fewer columns or raise maxBytesScanned.`, {
        details: { limit: "maxBytesScanned", max, read: this.stats.bytesRead + next },
      });
    }
  }

  private checkTime(): void {
    const max = this.options.limits?.maxTimeMs;
    if (max !== undefined && this.clock() - this.started > max) {
      throw new EvoDBError("LIMIT_EXCEEDED", `The query ran longer than ${max} ms; add a more selective WHERE or raise maxTimeMs.`, {
        details: { limit: "maxTimeMs", max },
      });
    }
  }
}

/** The lakehouse selector for a query's snapshot selector. */
export function toLakehouseSelector(selector: SnapshotSelector | undefined): { snapshotId: number } | { asOfMs: number } | Record<string, never> {
  if (selector === undefined || selector.kind === "latest") return {};
  if (selector.kind === "id") {
    const snapshotId = Number(selector.id);
    if (!Number.isSafeInteger(snapshotId) || snapshotId < 0) {
      throw new EvoDBError("QUERY_INVALID", `Snapshot id '${selector.id}' is not a snapshot id; ids are non-negative integers (see the table history).`);
    }
    return { snapshotId };
  }
  return { asOfMs: Date.parse(selector.timestamp) };
}

/** Paths of the row version columns every writer block carries (docs/writer.md, section 1). */
const KEY_PATH = ["_evodb_key"];
const LSN_PATH = ["_evodb_lsn"];

/** Each row's key and LSN from the version columns; a block without them cannot honour equality deletes. */
function rowVersions(footer: BlockFooter, fetched: ReadonlyMap<number, ShreddedColumn>, key: string): { keys: string[]; lsns: Float64Array } {
  const find = (path: readonly string[]) => {
    const index = footer.columns.findIndex((c) => c.path.length === 1 && c.path[0] === path[0]);
    return index < 0 ? undefined : fetched.get(index);
  };
  const keyColumn = find(KEY_PATH);
  const lsnColumn = find(LSN_PATH);
  const complete = (column: ShreddedColumn | undefined) => column !== undefined && column.tags.every((t) => t === Tag.Value);
  if (keyColumn?.type !== "string" || lsnColumn?.type !== "int" || !complete(keyColumn) || !complete(lsnColumn)) {
    throw new EvoDBError("CORRUPT_BLOCK", `Block ${key} lacks a complete _evodb_key (string) / _evodb_lsn (int) column, so the snapshot's equality deletes cannot be applied to it.`, {
      details: { key },
    });
  }
  return { keys: keyColumn.values, lsns: lsnColumn.values };
}

function maskToSelection(mask: Uint8Array): Uint32Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  const out = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) out[k++] = i;
  return out;
}
