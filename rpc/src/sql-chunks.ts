/**
 * Multi-row SQL statements within the Durable Object limit on bound parameters. The stores write a
 * chunk of rows per statement rather than a statement per row, so a request's statement count does
 * not grow with its documents (50 documents cost 152 statements at the edge one row at a time, about
 * 6 chunked); each statement is a crossing between JavaScript and SQLite.
 */

/**
 * Bound parameters one SQL statement may take: Durable Object SQLite allows 100
 * (developers.cloudflare.com/durable-objects/platform/limits).
 */
export const MAX_BOUND_PARAMETERS = 100;

/** `items` cut into runs that fit one statement: `perItem` parameters each, plus `fixed` per statement. */
export function* chunks<T>(items: readonly T[], perItem: number, fixed: number): Generator<T[]> {
  const size = Math.floor((MAX_BOUND_PARAMETERS - fixed) / perItem);
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/** Placeholders of `count` rows of `width` values, for `VALUES`: `(?, ?), (?, ?)`. */
export function rowPlaceholders(count: number, width: number): string {
  return new Array<string>(count).fill(`(${new Array<string>(width).fill("?").join(", ")})`).join(", ");
}

/** Placeholders of an `IN` list of `count` values: `?, ?, ?`. */
export function listPlaceholders(count: number): string {
  return new Array<string>(count).fill("?").join(", ");
}
