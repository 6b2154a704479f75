import { DEFAULT_FOOTER_READ_SIZE } from "@evodb/core";
import { objectUrl, type FetchLike } from "./http-object-store";

/**
 * After a commit, warms the cache in front of the origin with the footers of the new blocks: one
 * suffix `GET` per block, by default the size of a reader's first footer read (core's
 * `DEFAULT_FOOTER_READ_SIZE`), so the first query after the commit finds them at the edge.
 * Failures are reported, never thrown: a cold cache only costs latency.
 */
export async function warmFooters(
  baseUrl: string,
  blockKeys: readonly string[],
  options: { footerReadSize?: number; fetch?: FetchLike } = {},
): Promise<{ warmed: number; failed: string[] }> {
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const size = options.footerReadSize ?? DEFAULT_FOOTER_READ_SIZE;
  const failed: string[] = [];
  await Promise.all(
    blockKeys.map(async (key) => {
      const url = objectUrl(baseUrl, key);
      try {
        const response = await fetchFn(url, { headers: { range: `bytes=-${size}` } });
        // Drain the body so the response completes and the cache stores it.
        await response.arrayBuffer();
        if (response.status !== 206 && response.status !== 200) failed.push(key);
      } catch {
        failed.push(key); // an unreachable edge is not fatal for a warm-up
      }
    }),
  );
  return { warmed: blockKeys.length - failed.length, failed };
}
