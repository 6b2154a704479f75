/**
 * An {@link ObjectStore} held in memory: for tests, benchmarks and single-process embedding. Safe
 * in Workers (no Node APIs). Follows R2's semantics exactly, including its etag (the MD5 of the
 * content), so code that passes against it behaves the same on an R2 binding.
 */
import { md5Hex } from "./md5";
import type {
  ObjectGetOptions,
  ObjectListing,
  ObjectListOptions,
  ObjectPutOptions,
  ObjectStore,
  StoredObject,
  StoredObjectBody,
} from "./object-store";
import {
  assertValidObjectKey,
  compareObjectKeys,
  conditionHolds,
  resolveByteRange,
  resolveListLimit,
  valueToBytes,
} from "./object-store-rules";

interface MemoryEntry {
  readonly bytes: Uint8Array;
  readonly etag: string;
  readonly uploaded: Date;
}

/**
 * In-memory object store with R2 semantics. Every method settles after the state change it makes,
 * and a conditional put checks and writes in one synchronous step, so concurrent callers in one
 * isolate see linearizable compare-and-swap.
 *
 * @example
 * const store = new MemoryObjectStore();
 * await store.put("tables/t/manifest.json", "{}", { onlyIf: { etagDoesNotMatch: "*" } });
 * const head = await store.get("tables/t/manifest.json", { range: { suffix: 2 } });
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly entries = new Map<string, MemoryEntry>();
  /** Keys in R2 list order; rebuilt lazily after a create or delete. */
  private sortedKeys: string[] | null = [];

  /** Number of stored objects. */
  get objectCount(): number {
    return this.entries.size;
  }

  async get(key: string, options?: ObjectGetOptions): Promise<StoredObjectBody | null> {
    assertValidObjectKey(key);
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    let body = entry.bytes;
    if (options?.range !== undefined) {
      const { start, end } = resolveByteRange(options.range, entry.bytes.length);
      body = entry.bytes.subarray(start, end);
    }
    return memoryBody(key, entry, body);
  }

  async head(key: string): Promise<StoredObject | null> {
    assertValidObjectKey(key);
    const entry = this.entries.get(key);
    return entry === undefined ? null : metadata(key, entry);
  }

  async put(key: string, value: ArrayBuffer | ArrayBufferView | string, options?: ObjectPutOptions): Promise<StoredObject | null> {
    assertValidObjectKey(key);
    const bytes = valueToBytes(value);
    const current = this.entries.get(key);
    if (!conditionHolds(options?.onlyIf, current?.etag)) return null;
    const entry: MemoryEntry = { bytes, etag: md5Hex(bytes), uploaded: new Date() };
    this.entries.set(key, entry);
    if (current === undefined) this.sortedKeys = null;
    return metadata(key, entry);
  }

  async delete(keys: string | string[]): Promise<void> {
    const list = typeof keys === "string" ? [keys] : keys;
    for (const key of list) assertValidObjectKey(key);
    for (const key of list) if (this.entries.delete(key)) this.sortedKeys = null;
  }

  async list(options?: ObjectListOptions): Promise<ObjectListing> {
    const limit = resolveListLimit(options);
    const prefix = options?.prefix ?? "";
    const cursor = options?.cursor;
    this.sortedKeys ??= [...this.entries.keys()].sort(compareObjectKeys);
    const keys = this.sortedKeys;
    // First key after the cursor (the last key of the previous page) or at the prefix.
    const from = cursor !== undefined && compareObjectKeys(cursor, prefix) >= 0 ? cursor : prefix;
    let i = lowerBound(keys, from);
    if (from === cursor && keys[i] === cursor) i++;
    const objects: StoredObject[] = [];
    for (; i < keys.length && keys[i]!.startsWith(prefix); i++) {
      if (objects.length === limit) {
        return { objects, truncated: true, cursor: objects[objects.length - 1]!.key };
      }
      objects.push(metadata(keys[i]!, this.entries.get(keys[i]!)!));
    }
    return { objects, truncated: false };
  }
}

/** Index of the first key not ordered before `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareObjectKeys(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function metadata(key: string, entry: MemoryEntry): StoredObject {
  return { key, size: entry.bytes.length, etag: entry.etag, uploaded: entry.uploaded };
}

function memoryBody(key: string, entry: MemoryEntry, body: Uint8Array): StoredObjectBody {
  return {
    ...metadata(key, entry),
    async arrayBuffer() {
      return body.slice().buffer;
    },
    async text() {
      return new TextDecoder().decode(body);
    },
  };
}
