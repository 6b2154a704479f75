import { open, type FileHandle } from "node:fs/promises";

/** A file opened for ranged reads, with its size and modification time at open. */
export interface OpenedFile {
  readonly handle: FileHandle;
  readonly size: number;
  readonly mtime: Date;
  readonly mtimeMs: number;
}

interface Entry {
  /** The opened file, or null when the path is missing or not a regular file. */
  readonly ready: Promise<OpenedFile | null>;
  /** Reads using the handle right now. */
  users: number;
  /** Left the cache; the last user closes the handle. */
  evicted: boolean;
}

/**
 * A bounded LRU of open read-only file handles, so ranged reads of the same file cost one file
 * operation (a read) instead of four (stat, open, read, close), each a trip through libuv's thread
 * pool. A handle leaves the cache when more than `capacity` files are open, or on `closeAll`, and
 * is closed as soon as no read is using it: never while a read is in flight, and never left open
 * once evicted. Missing files are not cached (a later read looks again).
 */
export class FileHandleCache {
  private readonly entries = new Map<string, Entry>();
  /** Closes started on eviction; `closeAll` waits for them. */
  private readonly closing = new Set<Promise<void>>();
  /** The first failed close since the last `closeAll`, which reports it. */
  private closeError: unknown = null;

  constructor(private readonly capacity: number) {}

  /** Files currently held open by the cache (evicted handles still in use not counted). */
  get size(): number {
    return this.entries.size;
  }

  /** Runs `use` with the file at `path` open (null when it is missing), then releases the handle. */
  async with<T>(path: string, use: (file: OpenedFile | null) => Promise<T>): Promise<T> {
    let entry = this.entries.get(path);
    if (entry) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(path);
      this.entries.set(path, entry);
    } else {
      entry = { ready: openFile(path), users: 0, evicted: false };
      this.entries.set(path, entry);
    }
    // Counted before evicting, so a capacity of 0 closes the new handle after this read, not before.
    entry.users++;
    this.evictOverCapacity();
    try {
      const file = await entry.ready.catch((error: unknown) => {
        this.forget(path, entry);
        throw error;
      });
      if (file === null) this.forget(path, entry);
      return await use(file);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) this.close(entry);
    }
  }

  /**
   * Closes every cached handle and waits for the closes (a handle in use closes when its read
   * finishes); throws the first close that failed since the last call.
   */
  async closeAll(): Promise<void> {
    for (const [path, entry] of [...this.entries]) this.evict(path, entry);
    await Promise.all(this.closing);
    const error = this.closeError;
    this.closeError = null;
    if (error !== null) throw error;
  }

  private forget(path: string, entry: Entry): void {
    if (this.entries.get(path) === entry) this.entries.delete(path);
    entry.evicted = true;
  }

  private evictOverCapacity(): void {
    for (const [path, entry] of this.entries) {
      if (this.entries.size <= this.capacity) return;
      this.evict(path, entry);
    }
  }

  private evict(path: string, entry: Entry): void {
    this.forget(path, entry);
    if (entry.users === 0) this.close(entry);
  }

  private close(entry: Entry): void {
    const done = entry.ready.then(
      (file) => file?.handle.close(),
      // The open failed: there is no handle, and its reader already got the error.
      () => undefined,
    );
    const settled = done.then(
      () => undefined,
      (error: unknown) => {
        this.closeError ??= error;
      },
    );
    this.closing.add(settled);
    void settled.then(() => this.closing.delete(settled));
  }
}

/** Opens `path` for reading; null when it does not exist or is not a regular file. */
async function openFile(path: string): Promise<OpenedFile | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return null;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (info.isFile()) return { handle, size: info.size, mtime: info.mtime, mtimeMs: info.mtimeMs };
  } catch (error) {
    await handle.close();
    throw error;
  }
  await handle.close();
  return null;
}
