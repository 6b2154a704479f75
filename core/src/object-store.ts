/**
 * The narrow storage seam of EvoDB (DESIGN.md, "ObjectStore"). Everything that reads or writes
 * objects goes through this interface, so one engine runs on R2 in a Worker, on the filesystem in
 * Node and in memory in tests.
 *
 * It is the subset of `R2Bucket` the system needs, shaped so that an `R2Bucket` binding satisfies it
 * as is (checked by a type test in workerd): pass `env.BUCKET` wherever an `ObjectStore` is asked for.
 * Implementations must follow R2's semantics, which the shared conformance suite pins down:
 * - `get` with a range returns only those bytes; `size` is still the size of the whole object.
 * - `put` with `onlyIf` returns `null` and writes nothing when the condition fails.
 *   `{ etagMatches: e }` is compare-and-swap; `{ etagDoesNotMatch: "*" }` is create-only.
 * - Reads after a successful write see it (R2 is strongly consistent).
 * - `list` returns keys in lexicographic (UTF-8 byte) order, at most `limit` (default and max 1000),
 *   with a `cursor` when `truncated`.
 */
export interface ObjectStore {
  get(key: string, options?: ObjectGetOptions): Promise<StoredObjectBody | null>;
  head(key: string): Promise<StoredObject | null>;
  put(key: string, value: ArrayBuffer | ArrayBufferView | string, options?: ObjectPutOptions): Promise<StoredObject | null>;
  delete(keys: string | string[]): Promise<void>;
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
  /** Opaque version tag (unquoted), changes on every write. */
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
