import { EvoDBError } from "@evodb/core";
import { validateRelativePath } from "./names";
import type {
  DataFile,
  DeleteFile,
  LsnRange,
  NewDataFile,
  NewDeleteFile,
  Snapshot,
  SnapshotOperation,
  SnapshotRef,
  SnapshotSummary,
  TableMetadata,
} from "./types";

/**
 * Turning a commit request into the next snapshot on top of a base (docs/lakehouse.md, "Commit
 * protocol" and "Conflicts"). Pure: the same function runs on the first attempt and on every
 * rebase after a lost race, so the conflict rules are checked against the newest base each time.
 */

/** What one commit changes. Paths are relative to the table prefix. */
export interface CommitRequest {
  operation: SnapshotOperation;
  addDataFiles?: NewDataFile[];
  /** Paths of live data files this commit replaces or drops. */
  removeDataFiles?: string[];
  addDeleteFiles?: NewDeleteFile[];
  /** Paths of live delete files this commit drops (e.g. a compaction that applied them). */
  removeDeleteFiles?: string[];
  /**
   * WAL range this commit makes durable. Assumes one LSN sequence per table: a commit whose range
   * is already at or below the table's `lastLsn` is reported as a duplicate instead of applied.
   */
  lsnRange?: LsnRange;
}

/** The outcome of planning: a new snapshot, or proof that the request is already committed. */
export type CommitPlan =
  | { kind: "apply"; snapshot: Snapshot; metadata: TableMetadata }
  | { kind: "duplicate"; reason: string };

function conflict(message: string, details: Record<string, unknown>): EvoDBError {
  return new EvoDBError("COMMIT_CONFLICT", `${message} Re-read the latest snapshot and plan the change again.`, { details });
}

function invalid(message: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", message);
}

function checkCount(value: unknown, field: string): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw invalid(`${field} must be a non-negative integer, got ${String(value)}.`);
}

/** Checks the parts of a request that do not depend on the base (done once, before any attempt). */
export function validateCommitRequest(request: CommitRequest, partitionFields: readonly string[]): void {
  const adds = request.addDataFiles ?? [];
  const deletes = request.addDeleteFiles ?? [];
  const removesData = request.removeDataFiles ?? [];
  const removesDeletes = request.removeDeleteFiles ?? [];
  switch (request.operation) {
    case "append":
      if (adds.length === 0 || removesData.length + removesDeletes.length + deletes.length > 0) {
        throw invalid("An append adds at least one data file and nothing else; use overwrite, compaction or delete for other changes.");
      }
      break;
    case "delete":
      if (adds.length > 0) throw invalid("A delete commit cannot add data files; use overwrite for changes that add rows.");
      if (deletes.length + removesData.length + removesDeletes.length === 0) throw invalid("A delete commit must add delete files or remove files.");
      break;
    case "overwrite":
    case "compaction":
      if (adds.length + deletes.length + removesData.length + removesDeletes.length === 0) throw invalid(`An empty ${request.operation} changes nothing.`);
      break;
    default:
      throw invalid(`Unknown operation ${JSON.stringify(request.operation)}; use append, overwrite, compaction or delete.`);
  }
  const seen = new Set<string>();
  const unique = (path: string): void => {
    if (seen.has(path)) throw invalid(`Path ${path} appears twice in one commit.`);
    seen.add(path);
  };
  for (const file of adds) {
    unique(validateRelativePath(file.path, "data"));
    checkCount(file.rowCount, `rowCount of ${file.path}`);
    checkCount(file.byteSize, `byteSize of ${file.path}`);
    const keys = Object.keys(file.partition ?? {}).sort();
    if (keys.join("\u0000") !== [...partitionFields].sort().join("\u0000")) {
      throw invalid(`Data file ${file.path} has partition values for [${keys.join(", ")}], but the table is partitioned by [${partitionFields.join(", ")}].`);
    }
    if (typeof file.columnStats !== "object" || file.columnStats === null) throw invalid(`Data file ${file.path} needs a columnStats object ({} when none).`);
    if (file.lsnRange !== undefined) checkLsnRange(file.lsnRange, `lsnRange of ${file.path}`);
  }
  for (const file of deletes) {
    unique(validateRelativePath(file.path, "deletes"));
    checkCount(file.rowCount, `rowCount of ${file.path}`);
    checkCount(file.byteSize, `byteSize of ${file.path}`);
    if (file.kind === "position") validateRelativePath(file.dataFile, "data");
    else if (file.kind !== "equality") throw invalid(`Delete file ${String((file as { path: unknown }).path)} has unknown kind; use "position" or "equality".`);
  }
  for (const path of removesData) unique(validateRelativePath(path, "data"));
  for (const path of removesDeletes) unique(validateRelativePath(path, "deletes"));
  if (request.lsnRange !== undefined) checkLsnRange(request.lsnRange, "lsnRange");
}

function checkLsnRange(range: LsnRange, field: string): void {
  checkCount(range.min, `${field}.min`);
  checkCount(range.max, `${field}.max`);
  if (range.min > range.max) throw invalid(`${field} has min ${range.min} > max ${range.max}.`);
}

function summarize(dataFiles: DataFile[], deleteFiles: DeleteFile[], added: NewDataFile[], removed: DataFile[], addedDeletes: number, removedDeletes: number): SnapshotSummary {
  let totalRows = 0;
  let totalBytes = 0;
  for (const f of dataFiles) {
    totalRows += f.rowCount;
    totalBytes += f.byteSize;
  }
  return {
    addedFiles: added.length,
    removedFiles: removed.length,
    addedDeleteFiles: addedDeletes,
    removedDeleteFiles: removedDeletes,
    addedRows: added.reduce((n, f) => n + f.rowCount, 0),
    removedRows: removed.reduce((n, f) => n + f.rowCount, 0),
    addedBytes: added.reduce((n, f) => n + f.byteSize, 0),
    removedBytes: removed.reduce((n, f) => n + f.byteSize, 0),
    totalFiles: dataFiles.length,
    totalRows,
    totalBytes,
    totalDeleteFiles: deleteFiles.length,
  };
}

/**
 * Plans `request` on top of `meta` (whose current snapshot is `base`). Throws `COMMIT_CONFLICT`
 * when a concurrent commit made the request impossible (see docs/lakehouse.md, "Conflicts").
 */
export function planCommit(meta: TableMetadata, base: Snapshot | null, request: CommitRequest, nowMs: number, snapshotPath: (id: number) => string): CommitPlan {
  const liveData = new Map<string, DataFile>();
  for (const f of base?.dataFiles ?? []) liveData.set(f.path, f);
  const liveDeletes = new Map<string, DeleteFile>();
  for (const f of base?.deleteFiles ?? []) liveDeletes.set(f.path, f);
  const adds = request.addDataFiles ?? [];
  const addDeletes = request.addDeleteFiles ?? [];
  const removeData = request.removeDataFiles ?? [];
  const removeDeletes = request.removeDeleteFiles ?? [];
  const lastLsn = base?.lastLsn ?? null;

  if (request.lsnRange !== undefined && lastLsn !== null && request.lsnRange.min <= lastLsn) {
    if (request.lsnRange.max <= lastLsn) return { kind: "duplicate", reason: `LSNs ${request.lsnRange.min}-${request.lsnRange.max} are already committed (table lastLsn ${lastLsn})` };
    throw conflict(`LSN range ${request.lsnRange.min}-${request.lsnRange.max} overlaps the committed range ending at ${lastLsn}.`, { lastLsn, lsnRange: request.lsnRange });
  }
  // A retry after an ambiguous storage error may find its own commit already applied: every added
  // path live and every removed path gone means exactly that (paths are unique per writer).
  const addedPaths = [...adds.map((f) => f.path), ...addDeletes.map((f) => f.path)];
  const alreadyLive = addedPaths.filter((p) => liveData.has(p) || liveDeletes.has(p));
  if (alreadyLive.length > 0) {
    const removedGone = removeData.every((p) => !liveData.has(p)) && removeDeletes.every((p) => !liveDeletes.has(p));
    if (alreadyLive.length === addedPaths.length && removedGone) return { kind: "duplicate", reason: `files ${alreadyLive.join(", ")} are already committed` };
    throw conflict(`Files ${alreadyLive.join(", ")} are already live in the table.`, { paths: alreadyLive });
  }

  const removedData: DataFile[] = [];
  for (const path of removeData) {
    const file = liveData.get(path);
    if (file === undefined) throw conflict(`Data file ${path} is no longer live: a concurrent commit removed or compacted it.`, { path });
    removedData.push(file);
    liveData.delete(path);
  }
  for (const path of removeDeletes) {
    if (!liveDeletes.delete(path)) throw conflict(`Delete file ${path} is no longer live: a concurrent commit removed it.`, { path });
  }
  const snapshotId = meta.lastSnapshotId + 1;
  const dataFiles = [...liveData.values()];
  for (const file of adds) {
    const added: DataFile = { ...file, addedSnapshotId: snapshotId };
    dataFiles.push(added);
    liveData.set(file.path, added);
  }
  const deleteFiles = [...liveDeletes.values()];
  for (const file of addDeletes) {
    if (file.kind === "position" && !liveData.has(file.dataFile)) {
      throw conflict(`Position delete file ${file.path} targets data file ${file.dataFile}, which is not live: it was compacted or removed.`, { path: file.path, dataFile: file.dataFile });
    }
    deleteFiles.push({ ...file, addedSnapshotId: snapshotId } as DeleteFile);
  }
  for (const file of deleteFiles) {
    if (file.kind === "position" && !liveData.has(file.dataFile)) {
      throw conflict(
        `Position delete file ${file.path} still targets data file ${file.dataFile}, which this commit removes; remove the delete file in the same commit once its rows are applied.`,
        { path: file.path, dataFile: file.dataFile },
      );
    }
  }

  const parent = meta.snapshots[meta.snapshots.length - 1];
  // Timestamps never go backwards along the history, so "as of time T" is a binary search even
  // when writers' clocks disagree.
  const timestampMs = Math.max(nowMs, parent?.timestampMs ?? 0);
  const nextLsn = request.lsnRange === undefined ? lastLsn : Math.max(lastLsn ?? 0, request.lsnRange.max);
  const snapshot: Snapshot = {
    snapshotId,
    parentId: meta.currentSnapshotId,
    timestampMs,
    operation: request.operation,
    schemaId: meta.currentSchemaId,
    summary: summarize(dataFiles, deleteFiles, adds, removedData, addDeletes.length, removeDeletes.length),
    path: snapshotPath(snapshotId),
    lastLsn: nextLsn,
    dataFiles,
    deleteFiles,
  };
  const ref: SnapshotRef = {
    snapshotId,
    parentId: snapshot.parentId,
    timestampMs,
    operation: snapshot.operation,
    schemaId: snapshot.schemaId,
    summary: snapshot.summary,
    path: snapshot.path,
  };
  const metadata: TableMetadata = {
    ...meta,
    version: meta.version + 1,
    currentSnapshotId: snapshotId,
    lastSnapshotId: snapshotId,
    snapshots: [...meta.snapshots, ref],
  };
  return { kind: "apply", snapshot, metadata };
}
