import type { ByteRange, ObjectStore } from "@evodb/core";
import { cacheControlFor, classifyKey, type CachePolicyOptions } from "./cache-policy";

/** Options of {@link createOriginHandler}. */
export interface OriginOptions extends CachePolicyOptions {
  /** Where the objects live: an R2 binding (`env.BUCKET`) or any {@link ObjectStore}. */
  readonly store: ObjectStore;
  /** Prepended to the URL path to form the object key (e.g. a tenant's root). Default "". */
  readonly keyPrefix?: string;
}

/** A parsed single byte range, or why the header was not usable. */
type ParsedRange = { kind: "none" } | { kind: "range"; start: number; end: number } | { kind: "unsatisfiable" };

/**
 * Parses `Range: bytes=a-b | a- | -n` against the object size (RFC 9110, section 14). Several
 * ranges or another unit are ignored (a 200 with the whole object is a valid answer to them).
 */
export function parseRange(header: string | null, size: number): ParsedRange {
  if (header === null) return { kind: "none" };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null || (match[1] === "" && match[2] === "")) return { kind: "none" };
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "range", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return { kind: "unsatisfiable" };
  return { kind: "range", start, end };
}

/** True when an If-None-Match header lists this etag (or `*`); weak validators compare weakly. */
function etagMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(",").some((candidate) => {
    const value = candidate.trim();
    return value === "*" || value.replace(/^W\//, "") === `"${etag}"`;
  });
}

/** A key from a URL path, or undefined for paths that could escape the prefix or are not keys. */
function keyFromPath(pathname: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(pathname.replace(/^\/+/, ""));
  } catch {
    return undefined; // malformed percent-encoding: not a key anyone wrote
  }
  if (path === "" || path.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) return undefined;
  // Control characters never appear in lakehouse keys (lakehouse/src/names.ts refuses them).
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) < 0x20 || path.charCodeAt(i) === 0x7f) return undefined;
  return path;
}

/**
 * A fetch handler serving lakehouse objects from a bucket to a CDN or to readers: GET and HEAD,
 * single `Range` requests (206, `Content-Range`), strong `ETag`, `If-None-Match` -> 304, and
 * `Cache-Control` from the cache policy (immutable for blocks and snapshot files, short for the
 * pointer). Keys outside the lakehouse layout answer 404, so the origin exposes nothing else.
 */
export function createOriginHandler(options: OriginOptions): (request: Request) => Promise<Response> {
  const prefix = options.keyPrefix ?? "";
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const path = keyFromPath(new URL(request.url).pathname);
    if (path === undefined) return new Response("bad object path", { status: 400 });
    const key = prefix + path;
    const kind = classifyKey(key);
    if (kind === "other") return new Response("not found", { status: 404 });
    const head = await options.store.head(key);
    if (head === null) return new Response("not found", { status: 404 });
    const headers = new Headers({
      etag: `"${head.etag}"`,
      "cache-control": cacheControlFor(kind, options),
      "accept-ranges": "bytes",
      "last-modified": head.uploaded.toUTCString(),
      "content-type": key.endsWith(".json") ? "application/json" : "application/octet-stream",
    });
    if (etagMatches(request.headers.get("if-none-match"), head.etag)) return new Response(null, { status: 304, headers });
    const range = parseRange(request.headers.get("range"), head.size);
    if (range.kind === "unsatisfiable") {
      headers.set("content-range", `bytes */${head.size}`);
      return new Response(null, { status: 416, headers });
    }
    const byteRange: ByteRange | undefined = range.kind === "range" ? { offset: range.start, length: range.end - range.start + 1 } : undefined;
    const status = range.kind === "range" ? 206 : 200;
    if (range.kind === "range") headers.set("content-range", `bytes ${range.start}-${range.end}/${head.size}`);
    if (request.method === "HEAD") {
      headers.set("content-length", String(range.kind === "range" ? range.end - range.start + 1 : head.size));
      return new Response(null, { status, headers });
    }
    const object = await options.store.get(key, byteRange === undefined ? undefined : { range: byteRange });
    if (object === null) return new Response("not found", { status: 404 });
    const body = await object.arrayBuffer();
    // The pointer can change between head and get; the body must carry its own version's etag.
    headers.set("etag", `"${object.etag}"`);
    headers.set("content-length", String(body.byteLength));
    return new Response(body, { status, headers });
  };
}
