import type { ByteCache, CachedRead } from "./byte-cache";

/**
 * A {@link ByteCache} on the Workers Cache API (`caches.default` or `await caches.open(name)`).
 * Entries are immutable block reads, stored with `Cache-Control: immutable` and a year's max-age;
 * the Cache API is per data centre, so this is what makes a second identical query in the same
 * place read no block from R2.
 *
 * Keys become URLs under `namespace`, which must name the bucket (or deployment): two buckets can
 * hold the same object key, and their cached bytes must never mix. Only `GET` requests with a
 * status-200 response are cacheable, so metadata travels in response headers.
 */
export class CacheApiByteCache implements ByteCache {
  private readonly base: string;

  /**
   * @param cache e.g. `caches.default`.
   * @param namespace a bucket/deployment name; becomes the URL host path, e.g. `evodb-prod-bucket`.
   */
  constructor(
    private readonly cache: Cache,
    namespace: string,
  ) {
    this.base = `https://evodb-cache.internal/${encodeURIComponent(namespace)}/`;
  }

  async get(key: string): Promise<CachedRead | undefined> {
    const response = await this.cache.match(this.url(key));
    if (response === undefined) return undefined;
    const size = Number(response.headers.get("x-evodb-size"));
    const etag = response.headers.get("x-evodb-etag");
    const uploaded = Number(response.headers.get("x-evodb-uploaded"));
    // An entry without our headers was not written by us: treat it as a miss rather than trust it.
    if (!Number.isSafeInteger(size) || etag === null || !Number.isFinite(uploaded)) return undefined;
    return { bytes: new Uint8Array(await response.arrayBuffer()), size, etag, uploaded };
  }

  async put(key: string, value: CachedRead): Promise<void> {
    const response = new Response(value.bytes, {
      headers: {
        "cache-control": "public, max-age=31536000, immutable",
        "content-type": "application/octet-stream",
        "x-evodb-size": String(value.size),
        "x-evodb-etag": value.etag,
        "x-evodb-uploaded": String(value.uploaded),
      },
    });
    await this.cache.put(this.url(key), response);
  }

  private url(key: string): string {
    return this.base + encodeURIComponent(key);
  }
}
