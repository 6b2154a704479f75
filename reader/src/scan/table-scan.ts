import {
  DEFAULT_FOOTER_READ_SIZE,
  EvoDBError,
  Tag,
  decodeBloomFilter,
  decodeColumnChunk,
  openBlock,
  pathToName,
  selectColumns,
  type BlockFooter,
  type BloomFilter,
  type OpenedBlock,
  type ShreddedBatch,
  type ShreddedColumn,
} from "@evodb/core";
import { RowDeletes, selectSnapshot, type DataFile, type Snapshot, type Table, type TableMetadata } from "@evodb/lakehouse";
import { BatchView } from "../batch-view";
import { filterRows } from "../evaluate";
import { referencedPaths, type Expr, type SnapshotSelector } from "../query-types";
import { allRows } from "../vector";
import { pruneReason } from "../zone-map";
import { BlockBytes } from "./block-bytes";
import { KEY_PATH, LSN_PATH, maskToSelection, rowVersions } from "./live-rows";
import { CachingObjectStore, type ByteCache } from "./byte-cache";
import { bloomProbeColumns, footerLookup, partitionLookup, snapshotStatsLookup } from "./zone-lookups";

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
  /** Blocks not opened at all: their live row count came from the snapshot (COUNT(*) without WHERE). */
  blocksCountedFromMetadata: number;
  /** Bloom filters range-read (only those of columns an `=` or IN predicate probes). */
  bloomFiltersRead: number;
  /** Sum of the sizes of the snapshot's data files. */
  tableBytes: number;
  /**
   * Bytes of blocks the scan used (footers, bloom filters, column chunks): `bytesFetched` +
   * `bytesFromCache`. Each byte of a block counts at most once, so a scan never reads more than
   * `tableBytes`.
   */
  bytesRead: number;
  /** Bytes fetched from the store (cache misses, or no cache): exactly what the store returned. */
  bytesFetched: number;
  /** Bytes served by the cache instead of the store. */
  bytesFromCache: number;
  cacheHits: number;
  cacheMisses: number;
  /** Requests sent to the store. */
  requests: number;
  rowsScanned: number;
  /** Rows whose WHERE predicates were answered from string dictionary codes (once per distinct value). */
  rowsEvaluatedOnCodes: number;
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

/** Bytes of other filters a footer read may carry to take a probed filter along (see `noteProbeTail`). */
const PROBE_TAIL_ALLOWANCE = 16 * 1024;
/** Rows per batch when counting from metadata: bounds the identity selection a batch carries. */
const COUNT_BATCH_ROWS = 1 << 16;
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
    blocksCountedFromMetadata: 0,
    bloomFiltersRead: 0,
    tableBytes: 0,
    bytesRead: 0,
    bytesFetched: 0,
    bytesFromCache: 0,
    cacheHits: 0,
    cacheMisses: 0,
    requests: 0,
    rowsScanned: 0,
    rowsEvaluatedOnCodes: 0,
    timeMs: { snapshot: 0, footers: 0, read: 0, filter: 0 },
  };
}

/**
 * The one scanner of EvoDB (DESIGN.md): snapshot -> partition pruning -> zone maps from snapshot
 * statistics -> per block: footer (one suffix read, cached) -> zone maps from the footer -> bloom
 * filters of the columns an `=`/IN predicate probes (range reads) -> live rows (delete vectors) ->
 * read only the filter columns, filter -> read the rest of the projection only for blocks with a
 * match (late materialisation) -> yield. A query that needs no column and no filter (COUNT(*))
 * takes row counts from the snapshot and opens no block.
 */
export class TableScan {
  readonly stats: ScanStats = emptyScanStats();
  private readonly store: CachingObjectStore;
  private readonly clock: () => number;
  private readonly started: number;
  private planned: ScanPlan | undefined;
  /**
   * Largest block tail this scan wanted in one suffix read: footer + trailer, or from a probed bloom
   * filter to the block's end (see `noteProbeTail`). Sizes the next suffix read.
   */
  private largestTail = 0;

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
      if (planned.prunedBy !== undefined || this.countsFromMetadata()) {
        out.push(planned.prunedBy !== undefined ? planned : { ...planned, chunkBytes: 0 });
        continue;
      }
      const opened = await this.openFooter(planned.key);
      const bytes = new BlockBytes(this.store, planned.key, opened.size, opened.suffix, COALESCE_GAP);
      const reason = await this.pruneBlock(opened.footer, bytes);
      const chunkBytes = selectColumns(opened.footer, needed).reduce((sum, i) => sum + opened.footer.columns[i]!.chunk.length, 0);
      out.push(reason === undefined ? { ...planned, chunkBytes } : { ...planned, prunedBy: reason });
    }
    return out;
  }

  /**
   * True when the scan needs no column of any block: no filter and an empty projection, as for
   * `SELECT COUNT(*) FROM t`. Then each block's live row count is its snapshot row count minus
   * its deleted positions, with no block I/O.
   */
  countsFromMetadata(): boolean {
    return this.options.where === undefined && this.options.paths !== undefined && this.options.paths.length === 0;
  }

  /** The blocks of the snapshot, one at a time (bounded memory: one block's columns at once). */
  async *blocks(): AsyncGenerator<ScanBlock> {
    const plan = await this.plan();
    if (plan.snapshot === null) return;
    const deletes = plan.snapshot.deleteFiles.length > 0 ? await RowDeletes.load(this.table, plan.snapshot) : undefined;
    const toRead = plan.files.filter((f) => f.prunedBy === undefined);
    // Key+LSN equality deletes make a block's live count unknowable without its key column.
    if (this.countsFromMetadata() && !deletes?.hasEqualityDeletes) {
      yield* this.countedBlocks(toRead, deletes);
      return;
    }
    const where = this.options.where;
    const filterPaths = where === undefined ? [] : referencedPaths([where]);
    let nextFooter = toRead.length > 0 ? this.prefetchFooter(toRead[0]!.key) : undefined;
    for (let index = 0; index < toRead.length; index++) {
      const planned = toRead[index]!;
      this.checkTime();
      const t0 = this.clock();
      const opened = await nextFooter!;
      const { footer } = opened;
      // Fetch the next footer while this block is read and decoded (one request in flight ahead).
      nextFooter = index + 1 < toRead.length ? this.prefetchFooter(toRead[index + 1]!.key) : undefined;
      this.syncCounters();
      this.stats.timeMs.footers += this.clock() - t0;
      this.checkBytes(0);
      const bytes = new BlockBytes(this.store, planned.key, opened.size, opened.suffix, COALESCE_GAP);
      if (where !== undefined && this.options.prune !== false && (await this.pruneBlock(footer, bytes)) !== undefined) continue;
      const fetched = new Map<number, ShreddedColumn>();
      let mask: Uint8Array | undefined;
      if (deletes?.hasEqualityDeletes) {
        // Key+LSN equality deletes (docs/writer.md, section 4) need each row's key and LSN.
        await this.readChunks(bytes, footer, selectColumns(footer, [KEY_PATH, LSN_PATH]), fetched);
        const { keys, lsns } = rowVersions(footer, fetched, planned.key);
        mask = deletes.liveMask(planned.file.path, footer.rowCount, keys, lsns);
      } else if (deletes !== undefined) {
        mask = deletes.liveMask(planned.file.path, footer.rowCount);
      }
      let selection = mask === undefined ? allRows(footer.rowCount) : maskToSelection(mask);
      if (where !== undefined) {
        await this.readChunks(bytes, footer, selectColumns(footer, filterPaths), fetched);
        const t1 = this.clock();
        const view = new BatchView({ rowCount: footer.rowCount, columns: [...fetched.values()] }, this.stats);
        selection = filterRows({ view }, where, selection);
        this.stats.timeMs.filter += this.clock() - t1;
      }
      this.stats.rowsScanned += footer.rowCount;
      if (selection.length === 0) {
        this.stats.blocksWithoutMatch++;
        continue;
      }
      const rest = selectColumns(footer, this.options.paths).filter((i) => !fetched.has(i));
      await this.readChunks(bytes, footer, rest, fetched);
      this.stats.blocksRead++;
      const columns = [...fetched.keys()].sort((a, b) => a - b).map((i) => fetched.get(i)!);
      yield { file: planned.file, batch: { rowCount: footer.rowCount, columns }, selection, filtered: where !== undefined };
    }
  }

  /** Blocks of no columns holding each file's live row count, from the snapshot and delete vectors. */
  private *countedBlocks(files: readonly PlannedFile[], deletes: RowDeletes | undefined): Generator<ScanBlock> {
    let identity: Uint32Array | undefined;
    for (const planned of files) {
      this.checkTime();
      const { rowCount } = planned.file;
      let live = rowCount;
      const deleted = deletes?.deletedPositions(planned.file.path);
      if (deleted !== undefined) for (let i = 0; i < deleted.length; i++) if (deleted[i]! < rowCount) live--;
      this.stats.blocksCountedFromMetadata++;
      for (let start = 0; start < live; start += COUNT_BATCH_ROWS) {
        const n = Math.min(COUNT_BATCH_ROWS, live - start);
        identity ??= allRows(COUNT_BATCH_ROWS);
        yield { file: planned.file, batch: { rowCount: n, columns: [] }, selection: identity.subarray(0, n), filtered: false };
      }
    }
  }

  /**
   * Footer-level pruning of one block: zone maps first (no I/O), then, only if they keep the block,
   * the bloom filters of the columns the predicate probes. Counts the prune in the stats.
   */
  private async pruneBlock(footer: BlockFooter, bytes: BlockBytes): Promise<"zone-map" | "bloom" | undefined> {
    const where = this.options.prune === false ? undefined : this.options.where;
    if (where === undefined) return undefined;
    let reason = pruneReason(where, footerLookup(footer));
    if (reason === undefined) {
      const probed = bloomProbeColumns(where, footer);
      if (probed.length > 0) {
        const ranges = probed.map((i) => footer.columns[i]!.bloom!);
        this.noteProbeTail(footer, ranges);
        this.checkBytes(bytes.missingBytes(ranges));
        const read = await bytes.read(ranges);
        this.syncCounters();
        this.stats.bloomFiltersRead += probed.length;
        const filters = new Map<number, BloomFilter>(probed.map((i, k) => [i, decodeBloomFilter(footer, i, read[k]!)]));
        reason = pruneReason(where, footerLookup(footer, filters));
      }
    }
    if (reason === "zone-map") this.stats.blocksPrunedByZoneMap++;
    if (reason === "bloom") this.stats.blocksPrunedByBloom++;
    return reason;
  }

  /**
   * Remembers how far before the block's end the probed filters start, when a footer read reaching
   * back that far would carry few other bytes: at most 16 KiB or 8 times the probed filters' bytes.
   * That holds for a key column's filter, which writers put last or among the few equally large
   * filters of other unique columns (timestamps, LSNs), not for a small filter placed before many
   * large ones. A few KiB more in one ranged GET cost less than a second GET: on R2 each request
   * adds a round trip and is billed, bytes are not.
   */
  private noteProbeTail(footer: BlockFooter, ranges: readonly { offset: number; length: number }[]): void {
    const tail = footer.blockSize - Math.min(...ranges.map((r) => r.offset));
    const extra = tail - (footer.blockSize - footer.footerOffset);
    const probedBytes = ranges.reduce((sum, r) => sum + r.length, 0);
    if (extra <= Math.max(probedBytes * 8, PROBE_TAIL_ALLOWANCE) && tail > this.largestTail) this.largestTail = tail;
  }

  /** Opens a block's footer with a suffix read sized from the footers seen so far. */
  private async openFooter(key: string): Promise<OpenedBlock> {
    const opened = await openBlock(this.store, key, { footerReadSize: this.footerReadSize() });
    this.syncCounters();
    const footerBytes = opened.size - opened.footer.footerOffset;
    if (footerBytes > this.largestTail) this.largestTail = footerBytes;
    return opened;
  }

  /**
   * Blocks of one table have similar layouts, so after the first block the suffix is the largest
   * footer seen plus an eighth, in whole KiB: one read nearly always, with little over-read. When
   * the predicate probes bloom filters that sit next to the footer (writers put the largest
   * filters, usually the key's, last; see `noteProbeTail`), it also reaches back to them, so a
   * point lookup costs one request per block instead of two.
   */
  private footerReadSize(): number {
    const tail = this.largestTail;
    // The first block of a scan reads core's default suffix; later ones a suffix sized from the footers seen.
    if (tail === 0) return DEFAULT_FOOTER_READ_SIZE;
    return Math.ceil((tail * 9) / 8 / 1024) * 1024;
  }

  private prefetchFooter(key: string): Promise<OpenedBlock> {
    const pending = this.openFooter(key);
    // A scan that stops early (LIMIT met) never awaits the last prefetch; its failure must not
    // surface as an unhandled rejection. Awaited normally, the same promise still rejects.
    pending.catch(() => undefined);
    return pending;
  }

  /** Range-reads and decodes the given columns; bytes already held for the block are not fetched again. */
  private async readChunks(bytes: BlockBytes, footer: BlockFooter, indexes: readonly number[], into: Map<number, ShreddedColumn>): Promise<void> {
    const wanted = indexes.filter((i) => !into.has(i));
    if (wanted.length === 0) return;
    const ranges = wanted.map((i) => footer.columns[i]!.chunk);
    this.checkBytes(bytes.missingBytes(ranges));
    const t0 = this.clock();
    const read = await bytes.read(ranges);
    // String dictionaries stay codes: filters run once per distinct value, output builds strings for kept rows only.
    wanted.forEach((i, k) => into.set(i, decodeColumnChunk(footer, i, read[k]!, { keepStringCodes: true })));
    this.syncCounters();
    this.stats.timeMs.read += this.clock() - t0;
  }

  private syncCounters(): void {
    const c = this.store.counters;
    this.stats.bytesRead = c.bytesFetched + c.bytesFromCache;
    this.stats.bytesFetched = c.bytesFetched;
    this.stats.bytesFromCache = c.bytesFromCache;
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
