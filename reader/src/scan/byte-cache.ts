import type { ByteRange, ObjectGetOptions, ObjectListOptions, ObjectListing, ObjectPutOptions, ObjectStore, StoredObject, StoredObjectBody } from "@evodb/core";

/** One cached read: the bytes of a range plus the object's metadata. */
export interface CachedRead {
  readonly bytes: Uint8Array;
  readonly size: number;
  readonly etag: string;
  readonly uploaded: number;
}

/**
 * Where immutable reads are kept. Blocks and their footers never change once written (DESIGN.md),
 * so a read of (key, range) can be cached forever; the table pointer must never go through it.
 */
export interface ByteCache {
  get(key: string): Promise<CachedRead | undefined>;
  put(key: string, value: CachedRead): Promise<void>;
}

/** Counters of a {@link CachingObjectStore}. */
export interface CacheCounters {
  hits: number;
  misses: number;
  /** Bytes fetched from the underlying store (misses only). */
  bytesFetched: number;
  /** Bytes served from the cache. */
  bytesFromCache: number;
  /** Requests sent to the underlying store. */
  requests: number;
}

/**
 * A bounded in-memory LRU of reads, for Node and for the lifetime of one Worker isolate. Bounded
 * by bytes, so a scan of a large table cannot grow it past `maxBytes` (Workers have 128 MB).
 */
export class MemoryByteCache implements ByteCache {
  private readonly entries = new Map<string, CachedRead>();
  private bytes = 0;

  constructor(readonly maxBytes = 32 * 1024 * 1024) {}

  async get(key: string): Promise<CachedRead | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  async put(key: string, value: CachedRead): Promise<void> {
    if (value.bytes.length > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.bytes -= previous.bytes.length;
      this.entries.delete(key);
    }
    this.entries.set(key, value);
    this.bytes += value.bytes.length;
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= old.bytes.length;
    }
  }

  /** Bytes currently held. */
  get size(): number {
    return this.bytes;
  }
}

/** The cache key of a read: the object key plus its exact range. */
export function readCacheKey(key: string, range: ByteRange | undefined): string {
  if (range === undefined) return `${key}#all`;
  if ("suffix" in range) return `${key}#suffix=${range.suffix}`;
  return `${key}#${range.offset ?? 0}+${range.length ?? "end"}`;
}

/**
 * An {@link ObjectStore} that serves `get` of immutable keys through a {@link ByteCache} and counts
 * what it fetched. Every other call, and `get` of keys `isImmutable` rejects, goes straight through.
 */
export class CachingObjectStore implements ObjectStore {
  readonly counters: CacheCounters = { hits: 0, misses: 0, bytesFetched: 0, bytesFromCache: 0, requests: 0 };

  constructor(
    private readonly inner: ObjectStore,
    private readonly cache: ByteCache | undefined,
    private readonly isImmutable: (key: string) => boolean = () => true,
  ) {}

  async get(key: string, options?: ObjectGetOptions): Promise<StoredObjectBody | null> {
    const cacheable = this.cache !== undefined && this.isImmutable(key);
    const cacheKey = readCacheKey(key, options?.range);
    if (cacheable) {
      const cached = await this.cache!.get(cacheKey);
      if (cached !== undefined) {
        this.counters.hits++;
        this.counters.bytesFromCache += cached.bytes.length;
        return bodyOf(key, cached);
      }
      this.counters.misses++;
    }
    this.counters.requests++;
    const object = await this.inner.get(key, options);
    if (object === null) return null;
    const bytes = new Uint8Array(await object.arrayBuffer());
    this.counters.bytesFetched += bytes.length;
    const read: CachedRead = { bytes, size: object.size, etag: object.etag, uploaded: object.uploaded.getTime() };
    if (cacheable) await this.cache!.put(cacheKey, read);
    return bodyOf(key, read);
  }

  head(key: string): Promise<StoredObject | null> {
    return this.inner.head(key);
  }

  put(key: string, value: ArrayBuffer | ArrayBufferView | string, options?: ObjectPutOptions): Promise<StoredObject | null> {
    return this.inner.put(key, value, options);
  }

  delete(keys: string | string[]): Promise<void> {
    return this.inner.delete(keys);
  }

  list(options?: ObjectListOptions): Promise<ObjectListing> {
    return this.inner.list(options);
  }
}

function bodyOf(key: string, read: CachedRead): StoredObjectBody {
  return {
    key,
    size: read.size,
    etag: read.etag,
    uploaded: new Date(read.uploaded),
    // A copy, so a caller that transfers or mutates the buffer cannot corrupt the cache.
    arrayBuffer: async () => read.bytes.slice().buffer,
    text: async () => new TextDecoder().decode(read.bytes),
  };
}
