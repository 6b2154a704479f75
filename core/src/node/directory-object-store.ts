import { open, readdir, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { EvoDBError } from "../errors";
import type { ObjectGetOptions, ObjectListing, ObjectListOptions, ObjectStore, StoredObject, StoredObjectBody } from "../object-store";
import { compareObjectKeys, resolveByteRange, resolveListLimit } from "../object-store-rules";

/**
 * A read-only `ObjectStore` over a plain folder, key = relative path. `FsObjectStore` keeps its own
 * escaped layout (so any key is safe to write), which means it cannot read a folder another tool
 * wrote, such as a Lance dataset from lancedb (the `evodb lance` commands and lance-reader's
 * scripts read datasets this way); this store can. Keys with `.`/`..` segments are
 * refused so nothing outside the folder is read. Writes are refused.
 */
export class DirectoryObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

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
    const meta = await this.head(key);
    if (meta === null) return null;
    const { start, end } = options.range === undefined ? { start: 0, end: meta.size } : resolveByteRange(options.range, meta.size);
    const bytes = new Uint8Array(end - start);
    const file = await open(this.path(key), "r");
    try {
      let read = 0;
      while (read < bytes.length) {
        const { bytesRead } = await file.read(bytes, read, bytes.length - read, start + read);
        if (bytesRead === 0) throw new EvoDBError("STORAGE_ERROR", `${key} shrank while it was read.`);
        read += bytesRead;
      }
    } finally {
      await file.close();
    }
    const buffer = bytes.buffer;
    return { ...meta, arrayBuffer: async () => buffer, text: async () => new TextDecoder().decode(bytes) };
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
