/**
 * A tiny read-only ObjectStore over a plain folder (as lancedb writes it), for the debugging scripts.
 * Core's FsObjectStore keeps its own per-object header, so it cannot read such a folder directly.
 * Counts requests.
 */
import { open, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { EvoDBError, type ByteRange, type ObjectListing, type ObjectStore, type StoredObject, type StoredObjectBody } from "@evodb/core";

export class RawDirStore implements ObjectStore {
  gets = 0;
  bytesRead = 0;
  constructor(private readonly root: string) {}

  private meta(key: string, size: number, mtime: Date): StoredObject {
    return { key, size, etag: `${size}-${mtime.getTime()}`, uploaded: mtime };
  }

  async head(key: string): Promise<StoredObject | null> {
    try {
      const s = await stat(join(this.root, key));
      return s.isFile() ? this.meta(key, s.size, s.mtime) : null;
    } catch {
      return null;
    }
  }

  async get(key: string, options?: { range?: ByteRange }): Promise<StoredObjectBody | null> {
    const head = await this.head(key);
    if (!head) return null;
    const r = options?.range;
    let offset = 0;
    let length = head.size;
    if (r && "suffix" in r) {
      offset = Math.max(0, head.size - r.suffix);
      length = head.size - offset;
    } else if (r) {
      offset = r.offset ?? 0;
      length = r.length ?? head.size - offset;
    }
    length = Math.max(0, Math.min(length, head.size - offset));
    const fh = await open(join(this.root, key), "r");
    const buf = new Uint8Array(length);
    try {
      await fh.read(buf, 0, length, offset);
    } finally {
      await fh.close();
    }
    this.gets++;
    this.bytesRead += length;
    return { ...head, arrayBuffer: async () => buf.buffer, text: async () => new TextDecoder().decode(buf) };
  }

  async list(options?: { prefix?: string }): Promise<ObjectListing> {
    const prefix = options?.prefix ?? "";
    const out: StoredObject[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else {
          const key = relative(this.root, full);
          if (key.startsWith(prefix)) {
            const s = await stat(full);
            out.push(this.meta(key, s.size, s.mtime));
          }
        }
      }
    };
    const slash = prefix.lastIndexOf("/");
    await walk(join(this.root, slash >= 0 ? prefix.slice(0, slash) : ""));
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { objects: out, truncated: false };
  }

  async put(): Promise<StoredObject | null> {
    throw new EvoDBError("INTERNAL", "RawDirStore is read-only");
  }
  async delete(): Promise<void> {
    throw new EvoDBError("INTERNAL", "RawDirStore is read-only");
  }
}
