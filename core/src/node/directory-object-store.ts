import { open, readdir, stat, type FileHandle } from "node:fs/promises";
import { join, sep } from "node:path";
import { EvoDBError } from "../errors";
import type { ObjectGetOptions, ObjectListing, ObjectListOptions, ObjectStore, StoredObject, StoredObjectBody } from "../object-store";
import { compareObjectKeys, resolveByteRange, resolveListLimit } from "../object-store-rules";
import { FileHandleCache } from "./directory-object-store-handles";

/** Options of a {@link DirectoryObjectStore}. */
export interface DirectoryObjectStoreOptions {
  /** Files kept open for ranged reads (default 32); 0 opens and closes a file per read. */
  openFiles?: number;
}

/**
 * A read-only `ObjectStore` over a plain folder, key = relative path. `FsObjectStore` keeps its own
 * escaped layout (so any key is safe to write), which means it cannot read a folder another tool
 * wrote, such as a Lance dataset from lancedb (the `evodb lance` commands and lance-reader's
 * scripts read datasets this way); this store can. Keys with `.`/`..` segments are
 * refused so nothing outside the folder is read. Writes are refused.
 *
 * Ranged reads (the bulk of a Lance reader's requests) reuse open file handles from a small LRU:
 * one read per request instead of stat + open + read + close, each a trip through libuv's thread
 * pool. They assume an object is not rewritten in place while its handle is cached, which holds for
 * Lance data and index files (written once under unique names); reads of whole objects (manifests,
 * which `_latest.manifest` rewrites) always reopen the file. Call `close()` when done with the store:
 * evicted handles are closed at once, cached ones by `close()` (or at process exit).
 */
export class DirectoryObjectStore implements ObjectStore {
  private readonly handles: FileHandleCache;

  constructor(
    private readonly root: string,
    options: DirectoryObjectStoreOptions = {},
  ) {
    const capacity = options.openFiles ?? 32;
    if (!Number.isInteger(capacity) || capacity < 0) throw new EvoDBError("INVALID_ARGUMENT", `openFiles must be a non-negative integer, got ${capacity}.`);
    this.handles = new FileHandleCache(capacity);
  }

  /** Files held open for ranged reads right now. */
  get openFiles(): number {
    return this.handles.size;
  }

  /** Closes the cached file handles (reads in flight finish first). The store stays usable: later reads reopen files. */
  close(): Promise<void> {
    return this.handles.closeAll();
  }

  private path(key: string): string {
    const segments = key.split("/");
    if (segments.some((s) => s === "" || s === "." || s === ".." || s.includes(sep) || s.includes("\0"))) {
      throw new EvoDBError("INVALID_NAME", `Key ${JSON.stringify(key)} is not a relative path inside ${this.root}.`);
    }
    return join(this.root, ...segments);
  }

  async head(key: string): Promise<StoredObject | null> {
    try {
      const info = await stat(this.path(key));
      return info.isFile() ? { key, size: info.size, etag: `${info.size}-${info.mtimeMs}`, uploaded: info.mtime } : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return null;
      throw error;
    }
  }

  async get(key: string, options: ObjectGetOptions = {}): Promise<StoredObjectBody | null> {
    const path = this.path(key);
    const range = options.range;
    if (range !== undefined) {
      return this.handles.with(path, async (file) => {
        if (file === null) return null;
        const { start, end } = resolveByteRange(range, file.size);
        return body({ key, size: file.size, etag: `${file.size}-${file.mtimeMs}`, uploaded: file.mtime }, await readFully(file.handle, key, start, end));
      });
    }
    const meta = await this.head(key);
    if (meta === null) return null;
    const file = await open(path, "r");
    try {
      return body(meta, await readFully(file, key, 0, meta.size));
    } finally {
      await file.close();
    }
  }

  async list(options: ObjectListOptions = {}): Promise<ObjectListing> {
    const prefix = options.prefix ?? "";
    const keys: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      const entries = await readdir(relative === "" ? this.root : join(this.root, relative), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const key = relative === "" ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) {
          if (prefix.startsWith(`${key}/`) || key.startsWith(prefix)) await walk(key);
        } else if (entry.isFile() && key.startsWith(prefix)) keys.push(key);
      }
    };
    await walk("");
    keys.sort(compareObjectKeys);
    const after = options.cursor ?? "";
    const limit = resolveListLimit(options);
    const page = keys.filter((k) => after === "" || compareObjectKeys(k, after) > 0).slice(0, limit + 1);
    const objects = await Promise.all(page.slice(0, limit).map(async (k) => (await this.head(k))!));
    return page.length > limit ? { objects, truncated: true, cursor: objects[objects.length - 1]!.key } : { objects, truncated: false };
  }

  async put(key: string): Promise<never> {
    throw new EvoDBError("INVALID_ARGUMENT", `DirectoryObjectStore is read-only; cannot write ${key}.`);
  }

  async delete(): Promise<never> {
    throw new EvoDBError("INVALID_ARGUMENT", "DirectoryObjectStore is read-only.");
  }
}

/** Bytes [start, end) of an open file; STORAGE_ERROR when it ends early. */
async function readFully(file: FileHandle, key: string, start: number, end: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(end - start);
  let read = 0;
  while (read < bytes.length) {
    const { bytesRead } = await file.read(bytes, read, bytes.length - read, start + read);
    if (bytesRead === 0) throw new EvoDBError("STORAGE_ERROR", `${key} shrank while it was read.`);
    read += bytesRead;
  }
  return bytes;
}

/** An object body over bytes already read. */
function body(meta: StoredObject, bytes: Uint8Array): StoredObjectBody {
  const buffer = bytes.buffer as ArrayBuffer;
  return { ...meta, arrayBuffer: async () => buffer, text: async () => new TextDecoder().decode(bytes) };
}
