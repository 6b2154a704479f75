import type { FetchLike } from "./http-object-store";

/**
 * After a commit, warms the cache in front of the origin with the footers of the new blocks: one
 * suffix `GET` per block, the same request a reader's first read of that block makes, so the
 * first query after the commit finds them at the edge. Failures are reported, never thrown: a
 * cold cache only costs latency.
 */
export async function warmFooters(
  baseUrl: string,
  blockKeys: readonly string[],
  options: { footerReadSize?: number; fetch?: FetchLike } = {},
): Promise<{ warmed: number; failed: string[] }> {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const size = options.footerReadSize ?? 16 * 1024;
  const failed: string[] = [];
  await Promise.all(
    blockKeys.map(async (key) => {
      const url = base + key.split("/").map(encodeURIComponent).join("/");
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
