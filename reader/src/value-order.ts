import type { JsonValue } from "@evodb/core";

/**
 * How values of different JSON-derived kinds compare (docs/query.md, "Comparison rules").
 *
 * - SQL NULL (a missing path or JSON `null`) never compares: `=`, `<`, ... give NULL (unknown).
 * - Numbers compare numerically whether the column stored them as int, float or (beyond 2^53) as a
 *   bigint variant, as DuckDB compares BIGINT with DOUBLE.
 * - Strings compare by Unicode code point, which is the UTF-8 byte order DuckDB uses for VARCHAR
 *   (JavaScript's `<` compares UTF-16 code units and disagrees for characters above U+FFFF).
 * - Booleans: false < true.
 * - Values of different kinds are never equal; they order by kind rank
 *   boolean < number < string < array/object, so ORDER BY and `<` agree on a mixed-type path.
 *   DuckDB would instead try to cast; a schemaless store cannot, so this is our documented rule.
 * - Arrays and objects compare by their JSON text.
 */
export const Kind = {
  Null: 0,
  Bool: 1,
  Number: 2,
  String: 3,
  /** An array or object, or a number held as bigint: the value lives in `others`. */
  Other: 4,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Rank of a kind in the cross-kind order; bigint numbers rank with numbers. */
export function kindRank(kind: number, other: JsonValue | undefined): number {
  if (kind === Kind.Other && typeof other === "bigint") return Kind.Number;
  return kind;
}

/** Compares two strings by Unicode code point (UTF-8 byte order); returns -1, 0 or 1. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length ? -1 : 1;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  // A surrogate (U+D800..U+DFFF) starts a code point above U+FFFF, so it sorts after any BMP code
  // unit at or above U+E000 even though its UTF-16 value is smaller.
  const xs = x >= 0xd800 && x <= 0xdfff;
  const ys = y >= 0xd800 && y <= 0xdfff;
  if (xs !== ys) return xs ? (y >= 0xe000 ? 1 : x < y ? -1 : 1) : x >= 0xe000 ? -1 : x < y ? -1 : 1;
  return x < y ? -1 : 1;
}

/** Compares two numbers that may be bigints (only variants hold bigints). */
export function compareNumeric(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON text of a nested value (bigints as their digits); the key for comparing arrays/objects. */
export function nestedText(value: JsonValue, depth = 0): string {
  if (depth > 1000) return "\u0000deep";
  if (value === null) return "null";
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
    case "boolean":
    case "string":
      return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => nestedText(v, depth + 1)).join(",")}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value)) parts.push(`${JSON.stringify(key)}:${nestedText(value[key]!, depth + 1)}`);
  return `{${parts.join(",")}}`;
}

/**
 * Total order of two non-null values given as (kind, number, string, other) tuples. Used where
 * values of unknown kind meet: ORDER BY, MIN/MAX, variants in predicates.
 */
export function compareTagged(
  kindA: number,
  numA: number,
  strA: string | undefined,
  otherA: JsonValue | undefined,
  kindB: number,
  numB: number,
  strB: string | undefined,
  otherB: JsonValue | undefined,
): number {
  const rankA = kindRank(kindA, otherA);
  const rankB = kindRank(kindB, otherB);
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  switch (rankA) {
    case Kind.Bool:
      return numA === numB ? 0 : numA < numB ? -1 : 1;
    case Kind.Number: {
      const a = kindA === Kind.Other ? (otherA as bigint) : numA;
      const b = kindB === Kind.Other ? (otherB as bigint) : numB;
      return compareNumeric(a, b);
    }
    case Kind.String:
      return compareStrings(strA!, strB!);
    default:
      return compareStrings(nestedText(otherA!), nestedText(otherB!));
  }
}

/** Splits a JSON value into the (kind, number, string, other) form used by vectors. */
export function classify(value: JsonValue | undefined): { kind: Kind; num: number; str: string | undefined; other: JsonValue | undefined } {
  if (value === null || value === undefined) return { kind: Kind.Null, num: 0, str: undefined, other: undefined };
  switch (typeof value) {
    case "boolean":
      return { kind: Kind.Bool, num: value ? 1 : 0, str: undefined, other: undefined };
    case "number":
      return { kind: Kind.Number, num: value, str: undefined, other: undefined };
    case "string":
      return { kind: Kind.String, num: 0, str: value, other: undefined };
    default:
      return { kind: Kind.Other, num: 0, str: undefined, other: value };
  }
}
