import { EvoDBError, type ObjectStore } from "@evodb/core";
import { POINTER_PATH, type Table } from "./table";
import type { Snapshot, SnapshotRef, TableMetadata } from "./types";

/**
 * Snapshot expiry and orphan cleanup (docs/lakehouse.md, "Maintenance"). The invariant: nothing
 * reachable from a retained snapshot is ever deleted, also while commits run concurrently.
 */

/** R2 deletes at most 1000 keys per call. */
const DELETE_BATCH = 1000;

/** Which snapshots {@link expireSnapshots} may drop. */
export interface ExpireOptions {
  /** Snapshots committed before this time (ms since the epoch) may be expired. */
  olderThanMs: number;
  /** Always keep at least this many of the newest snapshots (default 1, minimum 1: the current one). */
  retainLast?: number;
}

/** What {@link expireSnapshots} dropped and deleted. */
export interface ExpireResult {
  expired: SnapshotRef[];
  /** Keys deleted: expired snapshot files and files only they referenced. */
  deletedKeys: string[];
}

/**
 * Removes snapshots older than `olderThanMs` from the history (keeping the newest `retainLast`),
 * then deletes their snapshot files and the data and delete files no retained snapshot uses.
 *
 * Safe with concurrent commits: the history rewrite is itself a compare-and-swap commit, and a
 * commit that races it re-plans on the new pointer, whose current snapshot is always retained; so a
 * file only expired snapshots use can never become live again.
 */
export async function expireSnapshots(table: Table, options: ExpireOptions): Promise<ExpireResult> {
  const retainLast = Math.max(1, options.retainLast ?? 1);
  let expired: SnapshotRef[] = [];
  const metadata = await table.dropOldestSnapshots((meta) => {
    const refs = meta.snapshots;
    // Timestamps are non-decreasing, so the expirable snapshots are a prefix of the history.
    let cut = 0;
    while (cut < refs.length - retainLast && refs[cut]!.timestampMs < options.olderThanMs) cut++;
    expired = refs.slice(0, cut);
    return cut;
  });
  if (expired.length === 0) return { expired, deletedKeys: [] };

  const retainedFiles = await referencedKeys(table, metadata.snapshots);
  const doomed = new Set<string>();
  for (const ref of expired) {
    const snapshot = await readIfPresent(table, ref);
    // A missing file means an earlier, interrupted expiry already removed it.
    if (snapshot === null) continue;
    for (const key of snapshotKeys(table, snapshot)) if (!retainedFiles.has(key)) doomed.add(key);
    doomed.add(table.objectKey(ref.path, "snapshots"));
  }
  const deletedKeys = [...doomed];
  await deleteKeys(table.store, deletedKeys);
  return { expired, deletedKeys };
}

/** How {@link removeOrphanFiles} decides a file is old enough to be an orphan. */
export interface OrphanOptions {
  /**
   * Only files older than this are deleted (default 24 hours). It must exceed the longest time
   * between writing a file and committing it, and `maxCommitDurationMs`; otherwise an in-flight
   * commit's fresh files could be taken for orphans.
   */
  graceMs?: number;
  /** The current time (ms since the epoch), injectable for tests. */
  nowMs?: number;
}

/**
 * Deletes files under `snapshots/`, `schemas/`, `data/` and `deletes/` that no retained snapshot references and
 * that are older than the grace period: uploads of crashed writers, snapshot files of lost races,
 * leftovers of an interrupted expiry. Returns the deleted keys.
 *
 * The listing happens before the pointer is read, so every file of a commit that finished before
 * that read is known to be referenced; files of commits still in flight are younger than the grace.
 */
export async function removeOrphanFiles(table: Table, options: OrphanOptions = {}): Promise<string[]> {
  const cutoff = (options.nowMs ?? Date.now()) - (options.graceMs ?? 24 * 3600_000);
  const candidates: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await table.store.list({ prefix: table.prefix, cursor, limit: 1000 });
    for (const object of page.objects) {
      const path = object.key.slice(table.prefix.length);
      const managed = path.startsWith("snapshots/") || path.startsWith("schemas/") || path.startsWith("data/") || path.startsWith("deletes/");
      if (managed && path !== POINTER_PATH && object.uploaded.getTime() < cutoff) candidates.push(object.key);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  if (candidates.length === 0) return [];

  const referenced = await referencedByPointer(table);
  const orphans = candidates.filter((key) => !referenced.has(key));
  await deleteKeys(table.store, orphans);
  return orphans;
}

/** Every key the retained history references, re-reading the pointer if a snapshot vanished under us. */
async function referencedByPointer(table: Table): Promise<Set<string>> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const meta: TableMetadata = await table.metadata();
    try {
      const keys = await referencedKeys(table, meta.snapshots);
      for (const version of meta.schemas) keys.add(table.objectKey(version.path, "schemas"));
      return keys;
    } catch (error) {
      if (!(error instanceof EvoDBError) || error.code !== "NOT_FOUND") throw error;
      const now = await table.metadata();
      const missing = (error.details?.snapshotId as number | undefined) ?? -1;
      // Still in the history: the table is damaged, and deleting "orphans" now could destroy data.
      if (now.snapshots.some((r) => r.snapshotId === missing)) throw error;
    }
  }
  throw new EvoDBError("TIMEOUT", `Snapshots of ${table.prefix} kept disappearing while orphan cleanup read them; run it again when expiry is not running.`);
}

async function referencedKeys(table: Table, refs: SnapshotRef[]): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const ref of refs) {
    keys.add(table.objectKey(ref.path, "snapshots"));
    for (const key of snapshotKeys(table, await table.readSnapshot(ref))) keys.add(key);
  }
  return keys;
}

function snapshotKeys(table: Table, snapshot: Snapshot): string[] {
  const keys = snapshot.dataFiles.map((f) => table.objectKey(f.path, "data"));
  for (const f of snapshot.deleteFiles) keys.push(table.objectKey(f.path, "deletes"));
  return keys;
}

async function readIfPresent(table: Table, ref: SnapshotRef): Promise<Snapshot | null> {
  try {
    return await table.readSnapshot(ref);
  } catch (error) {
    if (error instanceof EvoDBError && error.code === "NOT_FOUND") return null;
    throw error;
  }
}

async function deleteKeys(store: ObjectStore, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) await store.delete(keys.slice(i, i + DELETE_BATCH));
}
