import { EvoDBError, type ObjectGetOptions, type ObjectListing, type ObjectStore, type StoredObject, type StoredObjectBody } from "@evodb/core";
import { encodeKeyPath } from "./cache-policy";

/** The fetch function an {@link HttpObjectStore} uses (the global `fetch`, or a service binding's). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * A read-only {@link ObjectStore} over HTTP: point readers at a CDN base URL (or the origin of
 * {@link createOriginHandler}) instead of the bucket, and every block read becomes a cacheable
 * `GET` with a `Range` header. Writes are refused: they belong to the writer, on the bucket.
 */
export class HttpObjectStore implements ObjectStore {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchFn: FetchLike = (input, init) => fetch(input, init),
  ) {}

  async get(key: string, options?: ObjectGetOptions): Promise<StoredObjectBody | null> {
    const headers: Record<string, string> = {};
    const range = options?.range;
    if (range !== undefined) {
      if ("suffix" in range) headers.range = `bytes=-${range.suffix}`;
      else {
        const start = range.offset ?? 0;
        headers.range = range.length === undefined ? `bytes=${start}-` : `bytes=${start}-${start + range.length - 1}`;
      }
    }
    const response = await this.fetchFn(this.url(key), { headers });
    if (response.status === 404) return null;
    if (response.status !== 200 && response.status !== 206) throw this.failure("GET", key, response);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const size = totalSize(response, bytes.length);
    // A 200 to a ranged request (a CDN that ignores Range) still holds the whole object: cut it here.
    const body = response.status === 200 && range !== undefined ? slice(bytes, range) : bytes;
    return {
      ...metadataOf(key, response, size),
      arrayBuffer: async () => body.slice().buffer,
      text: async () => new TextDecoder().decode(body),
    };
  }

  async head(key: string): Promise<StoredObject | null> {
    const response = await this.fetchFn(this.url(key), { method: "HEAD" });
    if (response.status === 404) return null;
    if (!response.ok) throw this.failure("HEAD", key, response);
    return metadataOf(key, response, Number(response.headers.get("content-length") ?? 0));
  }

  async put(): Promise<StoredObject | null> {
    throw new EvoDBError("UNSUPPORTED_FEATURE", "HttpObjectStore is read-only: write through the bucket binding, not the CDN.");
  }

  async delete(): Promise<void> {
    throw new EvoDBError("UNSUPPORTED_FEATURE", "HttpObjectStore is read-only: delete through the bucket binding, not the CDN.");
  }

  async list(): Promise<ObjectListing> {
    throw new EvoDBError("UNSUPPORTED_FEATURE", "HttpObjectStore cannot list; readers find objects through the table's snapshot files.");
  }

  private url(key: string): string {
    return objectUrl(this.baseUrl, key);
  }

  private failure(method: string, key: string, response: Response): EvoDBError {
    return new EvoDBError("STORAGE_ERROR", `${method} ${this.url(key)} answered ${response.status}; check the CDN or origin.`, {
      details: { key, status: response.status },
    });
  }
}

/** The URL of object `key` under a base URL (with or without its trailing slash). */
export function objectUrl(baseUrl: string, key: string): string {
  return `${baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`}${encodeKeyPath(key)}`;
}

function totalSize(response: Response, bodyLength: number): number {
  const contentRange = response.headers.get("content-range");
  const total = contentRange === null ? NaN : Number(contentRange.split("/")[1]);
  return Number.isSafeInteger(total) ? total : bodyLength;
}

function slice(bytes: Uint8Array, range: NonNullable<ObjectGetOptions["range"]>): Uint8Array {
  if ("suffix" in range) return bytes.subarray(Math.max(0, bytes.length - range.suffix));
  const start = range.offset ?? 0;
  return bytes.subarray(start, range.length === undefined ? bytes.length : start + range.length);
}

function metadataOf(key: string, response: Response, size: number): StoredObject {
  const etag = (response.headers.get("etag") ?? "").replace(/^W\//, "").replace(/^"|"$/g, "");
  const modified = response.headers.get("last-modified");
  return { key, size, etag, uploaded: modified === null ? new Date(0) : new Date(modified) };
}
