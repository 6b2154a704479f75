/**
 * The JSON-shaped records of an EvoDB table (docs/lakehouse.md, "Objects"). They are what the
 * pointer and snapshot files hold, after validation; every field here is written down in the spec.
 */

/** A scalar that may appear in statistics, partition values and equality-delete keys. */
export type JsonScalar = string | number | boolean | null;

/** Any JSON value (schemas and table properties are opaque JSON to the lakehouse). */
export type Json = JsonScalar | Json[] | { [key: string]: Json };

/** Statistics of one column of one data file, as the writer computed them from the block. */
export interface ColumnStatistics {
  min?: JsonScalar;
  max?: JsonScalar;
  nullCount?: number;
  valueCount?: number;
  distinctCount?: number;
  /** Writers may add more JSON fields; readers ignore the ones they do not know. */
  [extra: string]: Json | undefined;
}

/** Partition value of one partition field for one file (`null` = the source path is missing/null). */
export type PartitionValues = Record<string, JsonScalar>;

/** An inclusive range of WAL log sequence numbers. */
export interface LsnRange {
  min: number;
  max: number;
}

/** One immutable data file (an `.evodb` block) of a snapshot. */
export interface DataFile {
  /** Key relative to the table prefix; always under `data/`. */
  path: string;
  rowCount: number;
  byteSize: number;
  /** Partition value per partition field name. `{}` for an unpartitioned table. */
  partition: PartitionValues;
  /** Per-column statistics keyed by the writer's column name (e.g. a dotted path). */
  columnStats: Record<string, ColumnStatistics>;
  /** The LSNs of the rows this file holds, when it came from the WAL. */
  lsnRange?: LsnRange;
  /** Snapshot that added this file (set by the commit, never by the caller). */
  addedSnapshotId: number;
}

/** The data file fields a caller provides; the commit fills in `addedSnapshotId`. */
export type NewDataFile = Omit<DataFile, "addedSnapshotId">;

/** A delete vector (docs/lakehouse.md, "Delete vector"): row positions deleted in one data file. */
export interface PositionDeleteFile {
  kind: "position";
  /** Key relative to the table prefix; always under `deletes/`. */
  path: string;
  /** The data file (path relative to the table) whose rows it deletes. */
  dataFile: string;
  /** Number of positions it holds. */
  rowCount: number;
  byteSize: number;
  addedSnapshotId: number;
}

/** Key+LSN equality deletes (docs/lakehouse.md, "Equality deletes"), valid in every data file. */
export interface EqualityDeleteFile {
  kind: "equality";
  /** Key relative to the table prefix; always under `deletes/`. */
  path: string;
  /** Number of (key, LSN) entries it holds. */
  rowCount: number;
  byteSize: number;
  lsnRange?: LsnRange;
  addedSnapshotId: number;
}

/** A row-level delete file referenced from a snapshot. */
export type DeleteFile = PositionDeleteFile | EqualityDeleteFile;

/** The delete file fields a caller provides; the commit fills in `addedSnapshotId`. */
export type NewDeleteFile = Omit<PositionDeleteFile, "addedSnapshotId"> | Omit<EqualityDeleteFile, "addedSnapshotId">;

/** What a snapshot did, for history and for conflict rules (docs/lakehouse.md, "Conflicts"). */
export type SnapshotOperation = "append" | "overwrite" | "compaction" | "delete";

/** Counters of one snapshot. */
export interface SnapshotSummary {
  addedFiles: number;
  removedFiles: number;
  addedDeleteFiles: number;
  removedDeleteFiles: number;
  addedRows: number;
  removedRows: number;
  addedBytes: number;
  removedBytes: number;
  /** Live data files, their rows (before row-level deletes) and bytes after the snapshot. */
  totalFiles: number;
  totalRows: number;
  totalBytes: number;
  totalDeleteFiles: number;
}

/** A snapshot as listed in the table's history (held in the pointer). */
export interface SnapshotRef {
  snapshotId: number;
  parentId: number | null;
  timestampMs: number;
  operation: SnapshotOperation;
  schemaId: number;
  summary: SnapshotSummary;
  /** Key of the snapshot file, relative to the table prefix (under `snapshots/`). */
  path: string;
}

/** A full snapshot: its ref plus every live data and delete file. */
export interface Snapshot extends SnapshotRef {
  /** Highest LSN committed so far (carried forward), or null when no commit named one. */
  lastLsn: number | null;
  dataFiles: DataFile[];
  deleteFiles: DeleteFile[];
}

/** How a partition value is derived from a document path. */
export type PartitionTransform = "identity" | "year" | "month" | "day" | "hour";

/** One partition field; `name` becomes a directory segment `name=value` under `data/`. */
export interface PartitionField {
  name: string;
  sourcePath: string[];
  transform: PartitionTransform;
}

/** How a table is partitioned: its fields, in directory order. */
export interface PartitionSpec {
  fields: PartitionField[];
}

/**
 * One version of the table schema, as listed in the pointer. Its content (core's schema JSON,
 * opaque here) is an immutable file, so the pointer stays small however many versions a flexible
 * table accumulates.
 */
export interface SchemaVersion {
  schemaId: number;
  /** Key of the schema file, relative to the table prefix (under `schemas/`). */
  path: string;
}

/** The table metadata held in the pointer object `metadata/current.json`. */
export interface TableMetadata {
  formatVersion: number;
  tableId: string;
  name: string;
  /** Increments on every successful commit (data or metadata). */
  version: number;
  createdAtMs: number;
  /** Primary key path of the documents, or null for an append-only table without keys. */
  keyPath: string[] | null;
  partitionSpec: PartitionSpec;
  schemas: SchemaVersion[];
  currentSchemaId: number;
  currentSnapshotId: number | null;
  /** Retained snapshots, oldest first; history is linear: each one's parent is the one before. */
  snapshots: SnapshotRef[];
  /** Highest snapshot id ever assigned (ids are never reused, even after expiry). */
  lastSnapshotId: number;
  properties: Record<string, string>;
}
