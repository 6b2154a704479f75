import { EvoDBError, type WalPrimaryKey } from "@evodb/core";

/**
 * Reserved top-level members every stored row carries next to the document's own members
 * (docs/writer.md, "Rows in blocks"): the canonical primary key and the LSN of the version. They
 * are what equality deletes match on. Documents that already use these names are refused.
 */
export const KEY_FIELD = "_evodb_key";
/** The reserved member holding the LSN of the stored version (see {@link KEY_FIELD}). */
export const LSN_FIELD = "_evodb_lsn";

/**
 * The canonical string of a primary key, so keys of different types never collide and equality
 * deletes compare plain strings: `s:<string>`, `n:<number>`, `b:<bigint digits>`, and composite
 * keys as the JSON array of their parts' canonical strings.
 */
export function canonicalKey(key: WalPrimaryKey): string {
  if (Array.isArray(key)) {
    if (key.length === 0) throw new EvoDBError("INVALID_ARGUMENT", "A composite primary key needs at least one part.");
    return JSON.stringify(key.map((part) => canonicalKey(part)));
  }
  switch (typeof key) {
    case "string":
      return `s:${key}`;
    case "number":
      if (!Number.isFinite(key)) throw new EvoDBError("INVALID_ARGUMENT", `Primary key ${key} is not a finite number.`);
      // -0 and 0 are one key, as in SQL.
      return `n:${key === 0 ? 0 : key}`;
    case "bigint":
      return `b:${key.toString()}`;
    default:
      throw new EvoDBError("INVALID_ARGUMENT", `Primary key of type ${typeof key} is not supported; use a string, number, bigint or an array of them.`);
  }
}
