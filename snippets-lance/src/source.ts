/**
 * Where index bytes come from: an `ObjectStore` (an R2 binding as is) or a plain range fetcher (for
 * example `fetch` with a Range header to a public bucket). Every call is one subrequest.
 */
import { EvoDBError, type ObjectStore } from "@evodb/core";

/** Reads `key` (whole, or `length` bytes from `offset`); `null` when the object does not exist. */
export type RangeFetcher = (key: string, range?: { offset: number; length: number }) => Promise<Uint8Array | null>;

/** An object store or a range fetcher. */
export type IndexSource = ObjectStore | RangeFetcher;

/** Turns an `IndexSource` into a {@link RangeFetcher}. */
export function toFetcher(source: IndexSource): RangeFetcher {
  if (typeof source === "function") return source;
  return async (key, range) => {
    const object = await source.get(key, range === undefined ? undefined : { range });
    return object === null ? null : new Uint8Array(await object.arrayBuffer());
  };
}

/** Fetches `key` or throws NOT_FOUND naming the index, so a missing object is never read as empty. */
export async function fetchRequired(fetcher: RangeFetcher, key: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
  let bytes: Uint8Array | null;
  try {
    bytes = await fetcher(key, range);
  } catch (cause) {
    if (cause instanceof EvoDBError) throw cause;
    throw new EvoDBError("STORAGE_ERROR", `snippets-lance: reading ${key} failed; retry or check the binding`, { cause });
  }
  if (bytes === null) throw new EvoDBError("NOT_FOUND", `snippets-lance: object ${key} does not exist; build the index with buildIndex + writeIndex`);
  return bytes;
}
