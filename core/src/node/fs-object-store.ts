/**
 * An {@link ObjectStore} on the local filesystem, for the CLI, benchmarks and plain-Node use
 * (the embedded default of DESIGN.md). Node only: exported from `@evodb/core/node`, never from the
 * main entry, so Worker bundles do not pull `node:fs`.
 *
 * Semantics are R2's (one conformance suite runs against R2, memory and this store). On disk:
 * - Keys map to paths as described in fs-key-paths.ts: nothing escapes the root, and keys R2 would
 *   refuse (over 1024 UTF-8 bytes, lone surrogates) or whose "/"-segments encode to more than 254
 *   bytes give `INVALID_NAME`.
 * - Each object is one file: a 32-byte header (magic "EVOFSOB1", the 16-byte MD5 of the content,
 *   which is also R2's etag, and the upload time as float64 ms) followed by the content.
 * - Writes are atomic: content goes to a temporary file under `~tmp/`, is fsynced, then renamed
 *   over the object's file, so readers see the old or the new object, never a mix. A process that
 *   crashes mid-write can leave a file in `~tmp/`; it is never read and may be deleted when no
 *   writer is running.
 * - Every put and delete holds the key's lock (fs-key-lock.ts), so a conditional put's check and
 *   write are one step for all writers in this and other processes on the same local filesystem.
 * - Reads take no lock: one open file handle serves header and body, so they are consistent.
 * - `list` walks the directory under the prefix and sorts; it costs O(objects under the prefix)
 *   per page, which suits development data sets, not millions of keys. Empty directories left by
 *   deletes are kept (removing them would race with a concurrent put into the same directory).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { EvoDBError, isEvoDBError } from "../errors";
import type {
  ObjectGetOptions,
  ObjectListing,
  ObjectListOptions,
  ObjectPutOptions,
  ObjectStore,
  StoredObject,
  StoredObjectBody,
} from "../object-store";
import {
  assertValidObjectKey,
  compareObjectKeys,
  conditionHolds,
  resolveByteRange,
  resolveListLimit,
  valueToBytes,
} from "../object-store-rules";
import { classifyEntryName, decodeSegment, encodeSegment, keyToComponents, OBJECT_FILE_SUFFIX } from "./fs-key-paths";
import { DEFAULT_STALE_LOCK_MS, ignoreMissing, isCode, KeyLocks } from "./fs-key-lock";

const MAGIC = new TextEncoder().encode("EVOFSOB1");
const HEADER_BYTES = 32;

/** Options of {@link FsObjectStore}. */
export interface FsObjectStoreOptions {
  /** Age after which a lock file is treated as left by a crashed process (default 30 s). */
  staleLockMs?: number;
}

interface ObjectHeader {
  etag: string;
  uploaded: Date;
}

/**
 * Filesystem-backed object store with R2 semantics, safe for concurrent writers in one process
 * and across processes sharing a local directory.
 *
 * @example
 * import { FsObjectStore } from "@evodb/core/node";
 * const store = new FsObjectStore("./data");
 * await store.put("blocks/0001.evodb", bytes);
 * const footer = await store.get("blocks/0001.evodb", { range: { suffix: 64 } });
 */
export class FsObjectStore implements ObjectStore {
  /** Absolute root directory holding all objects. */
  readonly root: string;
  private readonly locks: KeyLocks;
  private tempCounter = 0;

  constructor(root: string, options: FsObjectStoreOptions = {}) {
    this.root = resolve(root);
    this.locks = new KeyLocks(options.staleLockMs ?? DEFAULT_STALE_LOCK_MS);
  }

  async get(key: string, options?: ObjectGetOptions): Promise<StoredObjectBody | null> {
    const path = this.objectPath(key);
    const handle = await openIfExists(path);
    if (handle === null) return null;
    try {
      const size = (await handle.stat()).size - HEADER_BYTES;
      const header = await readHeader(handle, path);
      const { start, end } = options?.range === undefined ? { start: 0, end: size } : resolveByteRange(options.range, size);
      const body = new Uint8Array(end - start);
      await readFully(handle, body, HEADER_BYTES + start, path);
      return {
        key,
        size,
        etag: header.etag,
        uploaded: header.uploaded,
        async arrayBuffer() {
          return body.slice().buffer;
        },
        async text() {
          return new TextDecoder().decode(body);
        },
      };
    } finally {
      await handle.close();
    }
  }

  async head(key: string): Promise<StoredObject | null> {
    return this.readMetadata(key, this.objectPath(key));
  }

  async put(key: string, value: ArrayBuffer | ArrayBufferView | string, options?: ObjectPutOptions): Promise<StoredObject | null> {
    const path = this.objectPath(key);
    const bytes = valueToBytes(value);
    return this.locks.withLock(this.lockPath(key), async () => {
      if (options?.onlyIf !== undefined) {
        const current = await this.readMetadata(key, path);
        if (!conditionHolds(options.onlyIf, current?.etag)) return null;
      }
      const etagBytes = createHash("md5").update(bytes).digest();
      const uploaded = new Date();
      const header = new Uint8Array(HEADER_BYTES);
      header.set(MAGIC, 0);
      header.set(etagBytes, 8);
      new DataView(header.buffer).setFloat64(24, uploaded.getTime(), true);
      await this.writeAtomically(path, header, bytes);
      return { key, size: bytes.length, etag: etagBytes.toString("hex"), uploaded };
    });
  }

  async delete(keys: string | string[]): Promise<void> {
    const list = typeof keys === "string" ? [keys] : keys;
    const paths = list.map((key) => this.objectPath(key));
    for (let i = 0; i < list.length; i++) {
      await this.locks.withLock(this.lockPath(list[i]!), () => unlink(paths[i]!).catch(ignoreMissing));
    }
  }

  async list(options?: ObjectListOptions): Promise<ObjectListing> {
    const limit = resolveListLimit(options);
    const prefix = options?.prefix ?? "";
    const cursor = options?.cursor;
    // Only the directory of the prefix's complete segments can hold matching keys.
    const slash = prefix.lastIndexOf("/");
    const dirKeyPrefix = slash === -1 ? "" : prefix.slice(0, slash + 1);
    let dirComponents: string[];
    try {
      dirComponents = slash === -1 ? [] : prefix.slice(0, slash).split("/").map(encodeSegment);
    } catch (error) {
      // A prefix segment too long to be a file name cannot match any stored key (R2 lists nothing).
      if (isEvoDBError(error, "INVALID_NAME")) return { objects: [], truncated: false };
      throw error;
    }
    const keys: string[] = [];
    await collectKeys(join(this.root, ...dirComponents), dirKeyPrefix, keys);
    const matching = keys.filter((key) => key.startsWith(prefix) && (cursor === undefined || compareObjectKeys(key, cursor) > 0));
    matching.sort(compareObjectKeys);
    const objects: StoredObject[] = [];
    for (const key of matching) {
      if (objects.length === limit) return { objects, truncated: true, cursor: objects[objects.length - 1]!.key };
      // An object deleted since the directory walk is simply not listed.
      const meta = await this.readMetadata(key, this.objectPath(key));
      if (meta !== null) objects.push(meta);
    }
    return { objects, truncated: false };
  }

  private objectPath(key: string): string {
    assertValidObjectKey(key);
    return join(this.root, ...keyToComponents(key));
  }

  private lockPath(key: string): string {
    return join(this.root, "~locks", createHash("sha256").update(key).digest("hex"));
  }

  private async readMetadata(key: string, path: string): Promise<StoredObject | null> {
    const handle = await openIfExists(path);
    if (handle === null) return null;
    try {
      const size = (await handle.stat()).size - HEADER_BYTES;
      const header = await readHeader(handle, path);
      return { key, size, etag: header.etag, uploaded: header.uploaded };
    } finally {
      await handle.close();
    }
  }

  private async writeAtomically(path: string, header: Uint8Array, bytes: Uint8Array): Promise<void> {
    const tempDir = join(this.root, "~tmp");
    await mkdir(tempDir, { recursive: true });
    const tempPath = join(tempDir, `${process.pid}-${this.tempCounter++}-${randomBytes(6).toString("hex")}`);
    const handle = await open(tempPath, "wx");
    try {
      await handle.writev([header, bytes]);
      // fsync before rename: after a crash the object is either the old or the complete new one.
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await mkdir(join(path, ".."), { recursive: true });
      await rename(tempPath, path);
    } catch (error) {
      await unlink(tempPath).catch(ignoreMissing);
      throw new EvoDBError("STORAGE_ERROR", `Could not write ${path}: ${(error as Error).message}. Check permissions and free space.`, { cause: error });
    }
  }
}

async function openIfExists(path: string) {
  try {
    return await open(path, "r");
  } catch (error) {
    // ENOTDIR: a path component is an object file of an unrelated layout; treat as absent.
    if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return null;
    throw new EvoDBError("STORAGE_ERROR", `Could not open ${path}: ${(error as Error).message}.`, { cause: error });
  }
}

async function readHeader(handle: Awaited<ReturnType<typeof open>>, path: string): Promise<ObjectHeader> {
  const header = new Uint8Array(HEADER_BYTES);
  await readFully(handle, header, 0, path);
  for (let i = 0; i < MAGIC.length; i++) {
    if (header[i] !== MAGIC[i]) {
      throw new EvoDBError("STORAGE_ERROR", `${path} is not an FsObjectStore object file (bad magic); was it written by another tool?`);
    }
  }
  const etag = Buffer.from(header.buffer, 8, 16).toString("hex");
  const uploaded = new Date(new DataView(header.buffer).getFloat64(24, true));
  return { etag, uploaded };
}

async function readFully(handle: Awaited<ReturnType<typeof open>>, target: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) {
      throw new EvoDBError("STORAGE_ERROR", `${path} is shorter than its header says (truncated object file).`);
    }
    done += bytesRead;
  }
}

/** Appends every object key below `dir` (whose keys start with `keyPrefix`) to `out`. */
async function collectKeys(dir: string, keyPrefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return;
    throw error;
  }
  for (const entry of entries) {
    const kind = classifyEntryName(entry.name);
    if (kind === "object" && entry.isFile()) {
      out.push(keyPrefix + decodeSegment(entry.name.slice(0, -OBJECT_FILE_SUFFIX.length)));
    } else if (kind === "directory" && entry.isDirectory()) {
      await collectKeys(join(dir, entry.name), keyPrefix + decodeSegment(entry.name) + "/", out);
    }
  }
}
