import { EvoDBError, MAX_BLOCK_ROWS, type JsonValue, type WalEntry } from "@evodb/core";
import { encodeEqualityDeletes, type NewDataFile, type NewDeleteFile, type PartitionField, type PartitionValues, type Snapshot, type Table } from "@evodb/lakehouse";
import { encodeRows, type StoredRow } from "./block-rows";
import { partitionKey, partitionValues } from "./partition";
import { SchemaTracker } from "./schema-tracker";
import { canonicalKey, KEY_FIELD, LSN_FIELD } from "./row-key";

/** Target bytes of one block per size mode (docs/writer.md, "Block sizes"). */
export const BLOCK_SIZE_MODES = { small: 256 * 1024, standard: 4 * 1024 * 1024, large: 32 * 1024 * 1024 } as const;

/** When a {@link TableWriter} flushes and how big its blocks are. */
export interface TableWriterOptions {
  /** Flush when this many entries are buffered (default 10,000). */
  maxEntries?: number;
  /** Flush when the buffered documents reach about this many bytes (default 8 MiB). */
  maxBytes?: number;
  /**
   * Flush when the oldest buffered entry is this old (default 5,000 ms). At least one second keeps
   * commits under R2's one write per second to the table pointer.
   */
  maxAgeMs?: number;
  /** Target block size: a mode or a byte count (default "standard", 4 MiB). */
  blockSize?: keyof typeof BLOCK_SIZE_MODES | number;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
  /**
   * Called after the blocks are uploaded and before the commit. Only for tests that simulate a
   * crash between the two (throw from it); production code leaves it unset.
   */
  beforeCommit?: () => void | Promise<void>;
}

/** What {@link TableWriter.add} did with a batch. */
export interface AddResult {
  /** Entries buffered for the next flush. */
  accepted: number;
  /** Entries dropped as redeliveries (LSN at or below one already buffered or committed). */
  duplicates: number;
  /**
   * Entries refused, each with its error: `SCHEMA_MISMATCH` (locked schema; the error names the
   * path, expected and actual type) or `INVALID_ARGUMENT` (not an object, reserved member). The
   * batch is split: the other entries are accepted. Refused entries are reported once; the caller
   * dead-letters them.
   */
  rejected: { entry: WalEntry; error: EvoDBError }[];
}

/** What one flush did. */
export interface FlushResult {
  /** The snapshot that holds the flushed entries (an earlier one when they were already committed). */
  snapshot: Snapshot;
  /** True when every flushed LSN had already been committed (a retry after a crash). */
  duplicate: boolean;
  entries: number;
  rowsWritten: number;
  keysDeleted: number;
  lsnRange: { min: number; max: number };
}

interface Pending {
  entry: WalEntry;
  bytes: number;
}

/**
 * Buffers WAL entries of one table and flushes them as blocks plus one snapshot
 * (docs/writer.md). Updates and deletes become key+LSN equality deletes; a flush is keyed by its
 * LSN range, so replaying entries after a crash never duplicates a row.
 *
 * One writer per table (the writer Durable Object): LSNs must increase across `add` calls.
 */
export class TableWriter {
  private buffer: Pending[] = [];
  private bufferedBytes = 0;
  private oldestAt: number | null = null;
  /** Highest LSN known to be committed or buffered; entries at or below it are duplicates. */
  private highestLsn: number | null = null;
  private schema: SchemaTracker | null = null;
  private partitionFields: PartitionField[] = [];
  private readonly options: Required<Omit<TableWriterOptions, "beforeCommit" | "blockSize">> & { blockBytes: number };

  constructor(
    readonly table: Table,
    private readonly settings: TableWriterOptions = {},
  ) {
    const blockSize = settings.blockSize ?? "standard";
    const blockBytes = typeof blockSize === "number" ? blockSize : BLOCK_SIZE_MODES[blockSize];
    if (!(blockBytes > 0)) throw new EvoDBError("INVALID_ARGUMENT", `blockSize must be "small", "standard", "large" or a positive byte count.`);
    this.options = {
      maxEntries: settings.maxEntries ?? 10_000,
      maxBytes: settings.maxBytes ?? 8 * 1024 * 1024,
      maxAgeMs: settings.maxAgeMs ?? 5_000,
      clock: settings.clock ?? Date.now,
      blockBytes,
    };
  }

  /** Entries waiting for a flush. */
  get pendingEntries(): number {
    return this.buffer.length;
  }

  /**
   * Buffers entries (in LSN order). Redeliveries are dropped, documents a locked schema refuses
   * are reported in `rejected`, and the rest is buffered (see {@link AddResult}).
   */
  async add(entries: readonly WalEntry[]): Promise<AddResult> {
    const schema = await this.loadTableState();
    const result: AddResult = { accepted: 0, duplicates: 0, rejected: [] };
    for (const entry of entries) {
      if (this.highestLsn !== null && entry.lsn <= this.highestLsn) {
        result.duplicates++;
        continue;
      }
      this.highestLsn = entry.lsn;
      if (entry.op !== "delete") {
        try {
          checkDocument(entry.document);
          schema.check(entry.document);
        } catch (error) {
          if (!(error instanceof EvoDBError)) throw error;
          result.rejected.push({ entry, error });
          continue;
        }
      }
      const bytes = 64 + (entry.document === undefined ? 0 : estimateJsonBytes(entry.document));
      this.buffer.push({ entry, bytes });
      this.bufferedBytes += bytes;
      this.oldestAt ??= this.options.clock();
      result.accepted++;
    }
    return result;
  }

  /** True when a flush is due by count, size or age. */
  flushDue(): boolean {
    if (this.buffer.length === 0) return false;
    return (
      this.buffer.length >= this.options.maxEntries ||
      this.bufferedBytes >= this.options.maxBytes ||
      this.options.clock() - this.oldestAt! >= this.options.maxAgeMs
    );
  }

  /**
   * Writes the buffered entries as blocks and commits them as one snapshot. On failure the entries
   * stay buffered, so calling it again retries the same LSN range. Returns null when empty.
   */
  async flush(): Promise<FlushResult | null> {
    if (this.buffer.length === 0) return null;
    const entries = this.buffer.map((p) => p.entry);
    const lsnRange = { min: entries[0]!.lsn, max: entries[entries.length - 1]!.lsn };
    const { rows, deletes } = collapse(entries);
    // The schema version that covers these documents is committed before the data that needs it.
    await (await this.loadTableState()).widen(this.table, rows.map((r) => r.document));
    const written: string[] = [];
    const addDataFiles: NewDataFile[] = [];
    const estimatedBytes = this.bufferedBytes;
    for (const group of groupByPartition(rows, this.partitionFields)) {
      for (const chunk of splitRows(group.rows, this.options.blockBytes, (estimatedBytes * group.rows.length) / Math.max(1, rows.length))) {
        const block = encodeRows(chunk);
        const path = this.table.newDataFilePath(group.partition);
        const byteSize = await this.table.writeFile(path, block.bytes);
        written.push(path);
        addDataFiles.push({ path, rowCount: block.rowCount, byteSize, partition: group.partition, columnStats: block.columnStats, lsnRange: lsnBounds(chunk) });
      }
    }
    const addDeleteFiles: NewDeleteFile[] = [];
    if (deletes.length > 0) {
      const path = this.table.newDeleteFilePath("eqd");
      const byteSize = await this.table.writeFile(path, encodeEqualityDeletes([KEY_FIELD], deletes));
      written.push(path);
      addDeleteFiles.push({ kind: "equality", path, rowCount: deletes.length, byteSize, lsnRange: lsnBounds(deletes) });
    }
    await this.settings.beforeCommit?.();
    const operation = addDeleteFiles.length === 0 ? "append" : addDataFiles.length === 0 ? "delete" : "overwrite";
    const result = await this.table.commit({ operation, addDataFiles, addDeleteFiles, lsnRange });
    if (result.duplicate) {
      // Already committed by an earlier attempt: these copies are referenced by nothing.
      await this.table.store.delete(written.map((p) => this.table.objectKey(p, p.startsWith("deletes/") ? "deletes" : "data")));
    }
    this.buffer = [];
    this.bufferedBytes = 0;
    this.oldestAt = null;
    return { snapshot: result.snapshot, duplicate: result.duplicate, entries: entries.length, rowsWritten: rows.length, keysDeleted: deletes.length, lsnRange };
  }

  /**
   * Learns the table's committed LSN, partition spec and schema once, so redelivered entries are
   * dropped on `add`, blocks are split by partition and documents checked against the schema.
   */
  private async loadTableState(): Promise<SchemaTracker> {
    if (this.schema !== null) return this.schema;
    const meta = await this.table.metadata();
    this.partitionFields = meta.partitionSpec.fields;
    const latest = await this.table.snapshot();
    const committed = latest?.lastLsn ?? null;
    if (committed !== null && (this.highestLsn === null || committed > this.highestLsn)) this.highestLsn = committed;
    this.schema = await SchemaTracker.load(this.table);
    return this.schema;
  }
}

function checkDocument(document: JsonValue | undefined): asserts document is { [key: string]: JsonValue } {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new EvoDBError("INVALID_ARGUMENT", "Inserted and updated documents must be JSON objects (table rows).");
  }
  if (Object.hasOwn(document, KEY_FIELD) || Object.hasOwn(document, LSN_FIELD)) {
    throw new EvoDBError("INVALID_ARGUMENT", `Documents may not use the reserved members ${KEY_FIELD} and ${LSN_FIELD}.`);
  }
}

/**
 * Reduces entries to the rows to write (the last version of each key that is not deleted) and the
 * equality deletes: a key that saw an update or delete in this flush gets `(key, last LSN)`, which
 * kills every older version in earlier blocks but not the one written now (same LSN).
 */
function collapse(entries: readonly WalEntry[]): { rows: StoredRow[]; deletes: { key: string; lsn: number }[] } {
  const last = new Map<string, { entry: WalEntry; replaces: boolean }>();
  for (const entry of entries) {
    const key = canonicalKey(entry.primaryKey);
    const previous = last.get(key);
    last.set(key, { entry, replaces: (previous?.replaces ?? false) || entry.op !== "insert" });
  }
  const rows: StoredRow[] = [];
  const deletes: { key: string; lsn: number }[] = [];
  for (const [key, { entry, replaces }] of last) {
    if (replaces) deletes.push({ key, lsn: entry.lsn });
    if (entry.op !== "delete") rows.push({ key, lsn: entry.lsn, document: entry.document as { [key: string]: JsonValue } });
  }
  return { rows, deletes };
}

/** Rows grouped by their partition values (one group, `{}`, for an unpartitioned table). */
export function groupByPartition(rows: readonly StoredRow[], fields: readonly PartitionField[]): { partition: PartitionValues; rows: StoredRow[] }[] {
  const groups = new Map<string, { partition: PartitionValues; rows: StoredRow[] }>();
  for (const row of rows) {
    const partition = partitionValues(row.document, fields);
    const key = partitionKey(partition, fields);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { partition, rows: [] }));
    group.rows.push(row);
  }
  return [...groups.values()];
}

/** Splits rows into blocks of about `targetBytes`, given an estimate of their total size. */
export function splitRows(rows: StoredRow[], targetBytes: number, total: number): StoredRow[][] {
  if (rows.length === 0) return [];
  const blocks = Math.max(1, Math.ceil(total / targetBytes));
  const perBlock = Math.min(MAX_BLOCK_ROWS, Math.ceil(rows.length / blocks));
  const out: StoredRow[][] = [];
  for (let i = 0; i < rows.length; i += perBlock) out.push(rows.slice(i, i + perBlock));
  return out;
}

/** Smallest and largest LSN of a non-empty list (a loop: spreading 100k values overflows the stack). */
export function lsnBounds(items: readonly { lsn: number }[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const item of items) {
    if (item.lsn < min) min = item.lsn;
    if (item.lsn > max) max = item.lsn;
  }
  return { min, max };
}

/**
 * About the JSON length of a value, without building the string (stringifying every document
 * just to size the buffer cost a third of the shredding time in the bench).
 */
export function estimateJsonBytes(value: JsonValue): number {
  switch (typeof value) {
    case "string":
      return value.length + 2;
    case "number":
    case "bigint":
      return 8;
    case "boolean":
      return 5;
    default:
      break;
  }
  if (value === null) return 4;
  let total = 2;
  if (Array.isArray(value)) {
    for (const item of value) total += estimateJsonBytes(item) + 1;
    return total;
  }
  for (const key in value) total += key.length + 4 + estimateJsonBytes(value[key]!);
  return total;
}
