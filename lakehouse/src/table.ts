import { EvoDBError, type ByteRange, type ObjectStore, type StoredObjectBody } from "@evodb/core";
import { resolveRetryOptions, retryDelayMs, sleep, type RetryOptions } from "./backoff";
import { planCommit, validateCommitRequest, type CommitRequest } from "./commit-plan";
import { parseSchemaFile, parseSnapshot, parseTableMetadata, serializeSchemaFile, serializeSnapshot, serializeTableMetadata } from "./metadata-codec";
import { partitionedPath, validateRelativePath, type TableDirectory } from "./names";
import { randomId } from "./random-id";
import type { Json, NewDataFile, NewDeleteFile, PartitionValues, SchemaVersion, Snapshot, SnapshotRef, TableMetadata } from "./types";

/** The pointer object, relative to the table prefix (docs/lakehouse.md, "Layout"). */
export const POINTER_PATH = "metadata/current.json";

/** Options shared by every handle on a table. */
export interface TableOptions {
  /** Milliseconds since the epoch; injectable so tests can pin snapshot timestamps. */
  clock?: () => number;
  retry?: RetryOptions;
  /**
   * A commit that has not reached its pointer swap this long after it started fails with
   * `TIMEOUT` instead of swapping (default 10 minutes). Orphan cleanup relies on it: its grace
   * period must exceed this plus the time between writing a data file and committing it.
   */
  maxCommitDurationMs?: number;
}

/** Which snapshot to read: the latest (default), one id, or the last one at or before a time. */
export type SnapshotSelector = { snapshotId: number } | { asOfMs: number } | Record<string, never>;

/** The outcome of a commit. `duplicate` is true when the request had already been committed. */
export interface CommitResult {
  snapshot: Snapshot;
  metadata: TableMetadata;
  duplicate: boolean;
  /** How many pointer swaps were tried (1 = no race lost). */
  attempts: number;
}

/** The pointer as read, with the etag its compare-and-swap is conditioned on. */
export interface PointerState {
  metadata: TableMetadata;
  etag: string;
}

type Mutation = (meta: TableMetadata, base: Snapshot | null) => { metadata: TableMetadata; snapshot: Snapshot | null } | { duplicate: string };

/** Immutable snapshot files are cached per handle; a handful covers "latest plus its parent". */
const SNAPSHOT_CACHE_SIZE = 16;

/**
 * A handle on one table in an {@link ObjectStore}. Reads always fetch the pointer (one get) and
 * then one immutable snapshot file; commits follow docs/lakehouse.md, "Commit protocol". Handles
 * hold no lock: any number of them, in any number of processes, may commit to the same table.
 */
export class Table {
  readonly prefix: string;
  private readonly clock: () => number;
  private readonly retry: Required<RetryOptions>;
  private readonly maxCommitDurationMs: number;
  private readonly snapshotCache = new Map<string, Snapshot>();
  private readonly schemaCache = new Map<string, Json>();

  /** Use `createTable` / `openTable` rather than this constructor. */
  constructor(
    readonly store: ObjectStore,
    prefix: string,
    readonly tableId: string,
    options: TableOptions = {},
  ) {
    this.prefix = prefix;
    this.clock = options.clock ?? Date.now;
    this.retry = resolveRetryOptions(options.retry);
    this.maxCommitDurationMs = options.maxCommitDurationMs ?? 10 * 60_000;
  }

  /** Full object key of a path relative to the table (checked so it cannot leave the prefix). */
  objectKey(path: string, directory: TableDirectory): string {
    return this.prefix + validateRelativePath(path, directory);
  }

  /** The current table metadata (fresh from storage). */
  async metadata(): Promise<TableMetadata> {
    return (await this.readPointer()).metadata;
  }

  /** The retained snapshots, oldest first. */
  async history(): Promise<SnapshotRef[]> {
    return (await this.metadata()).snapshots;
  }

  /**
   * Reads a snapshot: the latest (`null` while the table has none), by id, or as of a time (the
   * last snapshot committed at or before `asOfMs`). An id or time outside the retained history
   * gives `NOT_FOUND`.
   */
  async snapshot(selector: SnapshotSelector = {}): Promise<Snapshot | null> {
    const meta = await this.metadata();
    const ref = selectSnapshot(meta, selector);
    return ref === null ? null : this.readSnapshot(ref);
  }

  /** Reads the snapshot file a ref points to (cached: snapshot files never change). */
  async readSnapshot(ref: SnapshotRef): Promise<Snapshot> {
    const cached = this.snapshotCache.get(ref.path);
    if (cached !== undefined) return cached;
    const key = this.objectKey(ref.path, "snapshots");
    const object = await this.store.get(key);
    if (object === null) {
      throw new EvoDBError("NOT_FOUND", `Snapshot ${ref.snapshotId} of table ${this.prefix} is missing (${key}); it was probably expired concurrently. Read a newer snapshot.`, {
        details: { snapshotId: ref.snapshotId, key },
      });
    }
    const snapshot = parseSnapshot(await object.text(), key);
    if (snapshot.snapshotId !== ref.snapshotId || snapshot.path !== ref.path) {
      throw new EvoDBError("CORRUPT_METADATA", `Snapshot file ${key} holds snapshot ${snapshot.snapshotId}, but the table history expects ${ref.snapshotId}. Restore the file from a backup.`, {
        details: { key },
      });
    }
    if (this.snapshotCache.size >= SNAPSHOT_CACHE_SIZE) this.snapshotCache.delete(this.snapshotCache.keys().next().value!);
    this.snapshotCache.set(ref.path, snapshot);
    return snapshot;
  }

  /** A fresh, unique path for a data file under `data/`, with partition directories. */
  newDataFilePath(partition: PartitionValues = {}, extension = "evodb"): string {
    return partitionedPath("data", Object.keys(partition), partition, `${randomId()}.${extension}`);
  }

  /** A fresh, unique path for a delete file under `deletes/`. */
  newDeleteFilePath(extension: "dv" | "eqd"): string {
    return validateRelativePath(`deletes/${randomId()}.${extension}`, "deletes");
  }

  /**
   * Writes an immutable data or delete file (create-only: an existing file is never replaced).
   * Commit it within the orphan grace period (docs/lakehouse.md, "Maintenance").
   */
  async writeFile(path: string, bytes: Uint8Array | string): Promise<number> {
    const directory = path.startsWith("deletes/") ? "deletes" : "data";
    const written = await this.store.put(this.objectKey(path, directory), bytes, { onlyIf: { etagDoesNotMatch: "*" } });
    if (written === null) throw new EvoDBError("INVALID_ARGUMENT", `File ${path} already exists; data files are immutable, so write to a new path (newDataFilePath).`);
    return written.size;
  }

  /** Reads a data or delete file (or a byte range of it); `NOT_FOUND` when it is gone. */
  async readFile(path: string, range?: ByteRange): Promise<StoredObjectBody> {
    const directory = path.startsWith("deletes/") ? "deletes" : "data";
    const key = this.objectKey(path, directory);
    const object = await this.store.get(key, range === undefined ? undefined : { range });
    if (object === null) throw new EvoDBError("NOT_FOUND", `File ${key} does not exist; it may belong to an expired snapshot.`, { details: { key } });
    return object;
  }

  /** Commits data files in one snapshot (group many files per commit: see "Write rate" in the spec). */
  append(files: NewDataFile[], options: { lsnRange?: { min: number; max: number } } = {}): Promise<CommitResult> {
    return this.commit({ operation: "append", addDataFiles: files, ...options });
  }

  /** Replaces live data files by new ones (a rewrite, or a compaction when `compaction` is set). */
  replace(remove: string[], add: NewDataFile[], options: { compaction?: boolean; removeDeleteFiles?: string[] } = {}): Promise<CommitResult> {
    return this.commit({
      operation: options.compaction === true ? "compaction" : "overwrite",
      removeDataFiles: remove,
      addDataFiles: add,
      removeDeleteFiles: options.removeDeleteFiles ?? [],
    });
  }

  /** Commits row-level delete files (delete vectors or equality deletes). */
  deleteRows(deleteFiles: NewDeleteFile[], options: { lsnRange?: { min: number; max: number } } = {}): Promise<CommitResult> {
    return this.commit({ operation: "delete", addDeleteFiles: deleteFiles, ...options });
  }

  /**
   * Commits one snapshot: plans it on the latest snapshot, writes the snapshot file, then swaps the
   * pointer with a compare-and-swap on its etag. A lost race re-reads and re-plans (rebase);
   * `COMMIT_CONFLICT` only when the change no longer applies or after `retry.maxAttempts`.
   */
  async commit(request: CommitRequest): Promise<CommitResult> {
    let validated = false;
    const result = await this.runCommit((current, base) => {
      // Checked against the pointer the first attempt reads (no extra read); the partition spec never changes.
      if (!validated) validateCommitRequest(request, current.partitionSpec.fields.map((f) => f.name));
      validated = true;
      const plan = planCommit(current, base, request, this.clock(), (id) => `snapshots/${String(id).padStart(20, "0")}-${randomId()}.json`);
      return plan.kind === "duplicate" ? { duplicate: plan.reason } : plan;
    });
    // A data commit always yields a snapshot: a duplicate is only reported when its files or LSNs
    // are already in the latest snapshot.
    if (result.snapshot === null) throw new EvoDBError("INTERNAL", "A data commit ended without a snapshot; this is a bug in @evodb/lakehouse.");
    return { ...result, snapshot: result.snapshot };
  }

  /**
   * Adds a schema version and makes it current. With `expectedSchemaId`, fails with
   * `COMMIT_CONFLICT` when another writer changed the schema first.
   */
  async evolveSchema(schema: Json, options: { expectedSchemaId?: number } = {}): Promise<SchemaVersion> {
    // The file name does not depend on the schema id, so it is written once whatever the retries.
    const path = `schemas/${randomId()}.json`;
    await this.store.put(this.objectKey(path, "schemas"), serializeSchemaFile(schema), { onlyIf: { etagDoesNotMatch: "*" } });
    this.schemaCache.set(path, schema);
    let result: Awaited<ReturnType<Table["runCommit"]>>;
    try {
      result = await this.runCommit((meta) => {
      if (options.expectedSchemaId !== undefined && meta.currentSchemaId !== options.expectedSchemaId) {
        throw new EvoDBError("COMMIT_CONFLICT", `The schema changed concurrently (now ${meta.currentSchemaId}, expected ${options.expectedSchemaId}). Re-read the schema and evolve it again.`, {
          details: { currentSchemaId: meta.currentSchemaId },
        });
      }
      const schemaId = Math.max(...meta.schemas.map((s) => s.schemaId)) + 1;
      return { metadata: { ...meta, version: meta.version + 1, schemas: [...meta.schemas, { schemaId, path }], currentSchemaId: schemaId }, snapshot: null };
      });
    } catch (error) {
      // Referenced by nothing now; removing it spares the orphan cleanup.
      await this.store.delete(this.objectKey(path, "schemas"));
      throw error;
    }
    return result.metadata.schemas.find((s) => s.schemaId === result.metadata.currentSchemaId)!;
  }

  /** The content of a schema version (the current one by default); files are cached, they never change. */
  async schema(schemaId?: number): Promise<{ schemaId: number; schema: Json }> {
    const meta = await this.metadata();
    const id = schemaId ?? meta.currentSchemaId;
    const version = meta.schemas.find((s) => s.schemaId === id);
    if (version === undefined) throw new EvoDBError("NOT_FOUND", `Table ${this.prefix} has no schema version ${id}.`, { details: { schemaId: id } });
    const cached = this.schemaCache.get(version.path);
    if (cached !== undefined) return { schemaId: id, schema: cached };
    const key = this.objectKey(version.path, "schemas");
    const object = await this.store.get(key);
    if (object === null) throw new EvoDBError("CORRUPT_METADATA", `Schema file ${key} of schema version ${id} is missing; restore it from a backup.`, { details: { key } });
    const schema = parseSchemaFile(await object.text(), key);
    this.schemaCache.set(version.path, schema);
    return { schemaId: id, schema };
  }

  /**
   * Drops the oldest `count` snapshots from the retained history (used by snapshot expiry), as a
   * compare-and-swap commit. `choose` sees the current metadata on every attempt and returns how
   * many to drop; the current snapshot always stays.
   */
  async dropOldestSnapshots(choose: (meta: TableMetadata) => number): Promise<TableMetadata> {
    const result = await this.runCommit((meta) => {
      const count = Math.min(choose(meta), meta.snapshots.length - 1);
      if (!(count > 0)) return { duplicate: "nothing to drop" };
      return { metadata: { ...meta, version: meta.version + 1, snapshots: meta.snapshots.slice(count) }, snapshot: null };
    });
    return result.metadata;
  }

  /** Reads the pointer and its etag, checking it still belongs to this table. */
  async readPointer(): Promise<PointerState> {
    const state = await readPointerObject(this.store, this.prefix);
    if (state.metadata.tableId !== this.tableId) {
      throw new EvoDBError("NOT_FOUND", `Table ${this.prefix} was dropped and re-created (table id ${state.metadata.tableId}, this handle has ${this.tableId}); open it again.`, {
        details: { prefix: this.prefix },
      });
    }
    return state;
  }

  private async runCommit(mutate: Mutation): Promise<Omit<CommitResult, "snapshot"> & { snapshot: Snapshot | null }> {
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      const { metadata: meta, etag } = await this.readPointer();
      const baseRef = meta.snapshots[meta.snapshots.length - 1];
      const base = baseRef === undefined ? null : await this.readSnapshot(baseRef);
      const next = mutate(meta, base);
      if ("duplicate" in next) return { snapshot: base, metadata: meta, duplicate: true, attempts: attempt };
      if (Date.now() - startedAt > this.maxCommitDurationMs) {
        throw new EvoDBError("TIMEOUT", `Commit to ${this.prefix} did not complete within ${this.maxCommitDurationMs} ms; its files may be cleaned up as orphans. Write the data files again and commit.`);
      }
      if (next.snapshot !== null) {
        // Create-only: the random suffix makes the name unique, so this never replaces a file.
        const wrote = await this.store.put(this.objectKey(next.snapshot.path, "snapshots"), serializeSnapshot(next.snapshot), { onlyIf: { etagDoesNotMatch: "*" } });
        if (wrote === null) throw new EvoDBError("INTERNAL", `Snapshot file ${next.snapshot.path} already exists; random file names collided.`);
      }
      let swapped: unknown;
      try {
        swapped = await this.store.put(this.prefix + POINTER_PATH, serializeTableMetadata(next.metadata), { onlyIf: { etagMatches: etag } });
      } catch (cause) {
        // The outcome is unknown (the swap may have landed). Retrying is safe: the next attempt's
        // plan finds its own files already live and reports a duplicate, and the etag condition
        // stops a second swap. The snapshot file is kept, as the pointer may reference it.
        if (attempt >= this.retry.maxAttempts) throw new EvoDBError("STORAGE_ERROR", `Swapping the pointer of ${this.prefix} failed: ${String(cause)}`, { cause });
        await sleep(retryDelayMs(attempt, this.retry));
        continue;
      }
      if (swapped !== null) {
        if (next.snapshot !== null) this.snapshotCache.set(next.snapshot.path, next.snapshot);
        return { snapshot: next.snapshot ?? base, metadata: next.metadata, duplicate: false, attempts: attempt };
      }
      // Lost the race: the snapshot file is referenced by nothing, so remove it now rather than
      // leave it to orphan cleanup.
      if (next.snapshot !== null) {
        try {
          await this.store.delete(this.objectKey(next.snapshot.path, "snapshots"));
        } catch {
          // Best effort only: an unreferenced snapshot file is an orphan that removeOrphanFiles deletes.
        }
      }
      if (attempt >= this.retry.maxAttempts) {
        throw new EvoDBError(
          "COMMIT_CONFLICT",
          `Commit to ${this.prefix} lost the race for the table pointer ${attempt} times. Too many writers commit to this table at once: batch more files per commit (R2 allows about one write per second to the pointer) or raise retry.maxAttempts.`,
          { details: { attempts: attempt } },
        );
      }
      await sleep(retryDelayMs(attempt, this.retry));
    }
  }
}

/** Reads and validates the pointer of the table at `prefix`; `NOT_FOUND` when there is none. */
export async function readPointerObject(store: ObjectStore, prefix: string): Promise<PointerState> {
  const key = prefix + POINTER_PATH;
  const object = await store.get(key);
  if (object === null) throw new EvoDBError("NOT_FOUND", `Table ${prefix} does not exist (no ${key}); create it with createTable.`, { details: { key } });
  return { metadata: parseTableMetadata(await object.text(), key), etag: object.etag };
}

/** The ref a selector names in `meta`, `null` for "latest" of an empty table. */
export function selectSnapshot(meta: TableMetadata, selector: SnapshotSelector): SnapshotRef | null {
  const refs = meta.snapshots;
  if ("snapshotId" in selector && selector.snapshotId !== undefined) {
    const ref = refs.find((r) => r.snapshotId === selector.snapshotId);
    if (ref === undefined) {
      throw new EvoDBError("NOT_FOUND", `Snapshot ${selector.snapshotId} of table ${meta.name} does not exist or was expired; list history() for the retained ones.`, {
        details: { snapshotId: selector.snapshotId },
      });
    }
    return ref;
  }
  if ("asOfMs" in selector && selector.asOfMs !== undefined) {
    // Timestamps are non-decreasing along the history (planCommit clamps them), so binary search.
    let lo = 0;
    let hi = refs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (refs[mid]!.timestampMs <= selector.asOfMs) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) {
      throw new EvoDBError("NOT_FOUND", `Table ${meta.name} has no retained snapshot at or before ${new Date(selector.asOfMs).toISOString()}.`, {
        details: { asOfMs: selector.asOfMs },
      });
    }
    return refs[lo - 1]!;
  }
  return refs[refs.length - 1] ?? null;
}
