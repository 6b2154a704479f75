/**
 * Cache policy of lakehouse objects (docs/lakehouse.md, "Layout"): data blocks, delete files and
 * snapshot files are immutable once written, so they cache forever; the table pointer
 * `metadata/current.json` changes on every commit, so it is short-lived and revalidated by ETag.
 * Anything else is not a lakehouse object and is not cached.
 */
export type ObjectClass = "pointer" | "immutable" | "other";

const IMMUTABLE_DIRECTORIES = ["data/", "deletes/", "snapshots/"];

/** The class of an object key (a key relative to the bucket; table prefixes may precede the layout). */
export function classifyKey(key: string): ObjectClass {
  if (key === "metadata/current.json" || key.endsWith("/metadata/current.json")) return "pointer";
  for (const directory of IMMUTABLE_DIRECTORIES) {
    if (key.startsWith(directory) || key.includes(`/${directory}`)) return "immutable";
  }
  return "other";
}

/** Options of {@link cacheControlFor}. */
export interface CachePolicyOptions {
  /** Seconds a CDN may serve the pointer without revalidating (default 1). */
  readonly pointerMaxAgeSeconds?: number;
}

/** One year: the longest max-age caches honour; immutable objects never need revalidation. */
const IMMUTABLE_MAX_AGE = 31_536_000;

/** The Cache-Control header for an object class. */
export function cacheControlFor(kind: ObjectClass, options: CachePolicyOptions = {}): string {
  switch (kind) {
    case "immutable":
      return `public, max-age=${IMMUTABLE_MAX_AGE}, immutable`;
    case "pointer":
      return `public, max-age=${options.pointerMaxAgeSeconds ?? 1}, must-revalidate`;
    default:
      return "no-store";
  }
}

/**
 * A cache key that cannot collide across buckets or tables: the namespace names the bucket (or
 * deployment) and the full object key names the table (its prefix) and the object.
 */
export function cacheKeyFor(namespace: string, key: string): string {
  return `https://evodb-edge.internal/${encodeURIComponent(namespace)}/${encodeKeyPath(key)}`;
}

/** An object key as a URL path: each segment percent-encoded, the slashes between them kept. */
export function encodeKeyPath(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}
