/**
 * The narrow storage seam of EvoDB (DESIGN.md, "ObjectStore"). Everything that reads or writes
 * objects goes through this interface, so one engine runs on R2 in a Worker, on the filesystem in
 * Node and in memory in tests.
 *
 * It is the subset of `R2Bucket` the system needs, shaped so that an `R2Bucket` binding satisfies it
 * as is (checked by a type test in workerd): pass `env.BUCKET` wherever an `ObjectStore` is asked for.
 * Implementations must follow R2's semantics, which the shared conformance suite
 * (`describeObjectStoreConformance` in @evodb/test-utils) pins down. Measured against R2 in workerd
 * (miniflare 4.20260426, compatibility date 2026-04-01):
 * - `get` with a range returns only those bytes; `size` is still the size of the whole object. A
 *   length running past the end is clamped and a suffix longer than the object returns all of it,
 *   but a range that selects no byte (offset at or past the end, length 0, suffix 0, any range of
 *   an empty object) throws "range not satisfiable" (R2 error 10039); negative or fractional
 *   numbers throw. A ranged get of a missing key returns `null`.
 * - `put` with `onlyIf` returns `null` and writes nothing when the condition fails; both
 *   conditions must hold when both are given.
 *   `{ etagMatches: e }` is compare-and-swap; it fails on a missing key, even with `"*"` (which
 *   matches any existing object). `{ etagDoesNotMatch: "*" }` is create-only; `etagDoesNotMatch`
 *   with an etag succeeds on a missing key. Quoted etags throw (pass `StoredObject.etag`).
 * - The etag is the MD5 of the content (hex). Rewriting identical bytes keeps the etag, so when a
 *   compare-and-swap writes exactly the bytes already stored, a second CAS from the same etag also
 *   succeeds; give each write distinct content (e.g. a snapshot id) where exactly-once matters.
 *   With distinct contents, exactly one of N concurrent CAS or create-only puts wins.
 * - Keys are at most 1024 UTF-8 bytes (longer keys throw on every method). `delete` of missing keys
 *   is not an error.
 * - Reads after a successful write see it (R2 is strongly consistent).
 * - `list` returns keys in lexicographic (UTF-8 byte) order, at most `limit` (an integer 1..1000,
 *   default 1000; others throw), with `truncated` and a `cursor` only when more keys follow.
 * Where R2 throws its own errors, MemoryObjectStore and FsObjectStore throw `EvoDBError`:
 * `INVALID_NAME` for keys, `INVALID_ARGUMENT` for ranges, quoted etags and list limits.
 */
export interface ObjectStore {
  /** The object (or the requested range of it), or `null` when the key does not exist. */
  get(key: string, options?: ObjectGetOptions): Promise<StoredObjectBody | null>;
  /** The object's metadata, or `null` when the key does not exist. */
  head(key: string): Promise<StoredObject | null>;
  /** Writes the object; returns `null` (and writes nothing) when `onlyIf` does not hold. */
  put(key: string, value: ArrayBuffer | ArrayBufferView | string, options?: ObjectPutOptions): Promise<StoredObject | null>;
  /** Deletes one or many keys; keys that do not exist are ignored. */
  delete(keys: string | string[]): Promise<void>;
  /** One page of keys in UTF-8 byte order; pass the returned `cursor` for the next page. */
  list(options?: ObjectListOptions): Promise<ObjectListing>;
}

/** A byte range: `{offset, length}`, `{offset}` (to the end), `{length}` (from 0) or `{suffix}` (last n bytes). */
export type ByteRange =
  | { offset: number; length?: number }
  | { offset?: number; length: number }
  | { suffix: number };

/** Preconditions of a write, as in R2. */
export interface ObjectConditional {
  /** Write only if the current etag equals this one. */
  etagMatches?: string;
  /** Write only if the current etag differs from this one; `"*"` means "only if absent". */
  etagDoesNotMatch?: string;
}

export interface ObjectGetOptions {
  range?: ByteRange;
}

export interface ObjectPutOptions {
  onlyIf?: ObjectConditional;
}

export interface ObjectListOptions {
  prefix?: string;
  cursor?: string;
  limit?: number;
}

/** Metadata of a stored object. */
export interface StoredObject {
  readonly key: string;
  /** Size of the whole object in bytes, also when a range was read. */
  readonly size: number;
  /** Version tag, unquoted: the hex MD5 of the content in R2 and in EvoDB's own stores. */
  readonly etag: string;
  readonly uploaded: Date;
}

/** A stored object with its body (the requested range of it). */
export interface StoredObjectBody extends StoredObject {
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

export interface ObjectListing {
  objects: StoredObject[];
  truncated: boolean;
  cursor?: string;
}
