/**
 * SQL LIKE matching: `%` matches any run of characters (possibly empty), `_` exactly one character.
 * Characters are Unicode code points, as in DuckDB. There is no escape character (DuckDB's default
 * without an ESCAPE clause). Case-sensitive.
 *
 * The common shapes compile to native string methods (`abc%` -> startsWith, `%abc` -> endsWith,
 * `%abc%` -> includes, no wildcard -> ===); anything else runs the linear-backtracking wildcard
 * matcher below, which is O(text * pattern) in the worst case and never recursive.
 */
export type LikeMatcher = (text: string) => boolean;

/** Compiles a LIKE pattern into a matcher. */
export function compileLike(pattern: string): LikeMatcher {
  const hasUnderscore = pattern.includes("_");
  if (!hasUnderscore) {
    const parts = pattern.split("%");
    if (parts.length === 1) return (text) => text === pattern;
    if (parts.length === 2) {
      const [head, tail] = parts as [string, string];
      if (tail === "") return (text) => text.startsWith(head);
      if (head === "") return (text) => text.endsWith(tail);
      return (text) => text.length >= head.length + tail.length && text.startsWith(head) && text.endsWith(tail);
    }
    if (parts.length === 3 && parts[0] === "" && parts[2] === "") {
      const middle = parts[1]!;
      return (text) => text.includes(middle);
    }
  }
  const tokens = Array.from(pattern);
  return (text) => wildcardMatch(Array.from(text), tokens);
}

/** Greedy wildcard match with a single backtrack point (the last `%`), over code points. */
function wildcardMatch(text: readonly string[], pattern: readonly string[]): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== "%" && (pattern[p] === "_" || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === "%") {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "%") p++;
  return p === pattern.length;
}

/**
 * The literal prefix a LIKE pattern requires (text before the first wildcard), used by zone maps:
 * `abc%` can only match values in [abc, abc\u{10FFFF}...].
 */
export function likePrefix(pattern: string): string {
  let end = 0;
  while (end < pattern.length && pattern[end] !== "%" && pattern[end] !== "_") end++;
  return pattern.slice(0, end);
}
