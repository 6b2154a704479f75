import { EvoDBError } from "@evodb/core";
import type { JsonScalar, PartitionValues } from "./types";

/**
 * Name and key validation (docs/lakehouse.md, "Names"). Every object key the lakehouse reads or
 * writes is `<root>/<table>/<relative path>`, and each part is checked here, so a hostile table
 * name, partition value or a tampered snapshot file can never make it touch a key outside the
 * table's prefix (`../`, absolute keys, control characters, backslashes, empty segments).
 */

/** Table names and root segments: a letter, digit or `_` first, then `[A-Za-z0-9_.-]`, <= 128 chars. */
const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Partition field names: identifier-like, so `name=value` directory segments parse unambiguously. */
const FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** One segment of a relative file path; `%` admits percent-encoded partition values. */
const SEGMENT_PATTERN = /^[A-Za-z0-9_.=%-]{1,200}$/;
/** Relative paths stay short so `<root>/<table>/<path>` fits R2's 1024-byte key limit. */
const MAX_RELATIVE_PATH = 512;

/** The top-level directories of a table (docs/lakehouse.md, "Layout"). */
export type TableDirectory = "metadata" | "snapshots" | "schemas" | "data" | "deletes";

function invalidName(what: string, value: string, rule: string): EvoDBError {
  return new EvoDBError("INVALID_NAME", `Invalid ${what} ${JSON.stringify(value)}: ${rule}.`, {
    details: { what, value },
  });
}

/** Checks a table name; throws `INVALID_NAME` for anything that could escape its prefix. */
export function validateTableName(name: string): string {
  if (typeof name !== "string" || !NAME_PATTERN.test(name) || name.includes("..")) {
    throw invalidName("table name", String(name), "use 1-128 characters from [A-Za-z0-9_.-], starting with a letter, digit or '_', without '..'");
  }
  return name;
}

/** Checks a root prefix (`""` or slash-separated segments, each valid as a table name). */
export function validateRoot(root: string): string {
  if (typeof root !== "string") throw invalidName("root prefix", String(root), "it must be a string");
  if (root === "") return root;
  for (const segment of root.split("/")) {
    if (!NAME_PATTERN.test(segment) || segment.includes("..")) {
      throw invalidName("root prefix", root, "use '/'-separated segments of [A-Za-z0-9_.-], with no leading, trailing or doubled '/' and no '..'");
    }
  }
  return root;
}

/** Checks a partition field name. */
export function validatePartitionFieldName(name: string): string {
  if (typeof name !== "string" || !FIELD_PATTERN.test(name)) {
    throw invalidName("partition field name", String(name), "use an identifier of [A-Za-z0-9_] (1-64 characters, not starting with a digit)");
  }
  return name;
}

/** The key prefix of a table, ending in `/`. */
export function tablePrefix(root: string, table: string): string {
  validateRoot(root);
  validateTableName(table);
  return root === "" ? `${table}/` : `${root}/${table}/`;
}

/**
 * Checks a path relative to the table prefix: it must start with `<directory>/` and consist of
 * non-empty segments of `[A-Za-z0-9_.=%-]` other than `.` and `..`. Returns the path.
 */
export function validateRelativePath(path: string, directory: TableDirectory): string {
  const rule = `use '${directory}/' followed by '/'-separated segments of [A-Za-z0-9_.=%-] (not '.' or '..'), at most ${MAX_RELATIVE_PATH} characters`;
  if (typeof path !== "string" || path.length > MAX_RELATIVE_PATH) throw invalidName("file path", String(path), rule);
  const segments = path.split("/");
  if (segments.length < 2 || segments[0] !== directory) throw invalidName("file path", path, rule);
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    if (!SEGMENT_PATTERN.test(segment) || segment === "." || segment === "..") throw invalidName("file path", path, rule);
  }
  return path;
}

/**
 * Encodes a partition value as a path segment: bytes outside `[A-Za-z0-9_-]` become `%XX` (so `.`
 * and `/` can never form `..` or a separator). The segment is only a readable hint for people
 * browsing the bucket; the authoritative value is the one stored in the snapshot.
 */
export function encodePartitionSegment(value: JsonScalar): string {
  const text = value === null ? "_null" : String(value);
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const isPlain =
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f || byte === 0x2d;
    out += isPlain ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    // Keeps the segment under SEGMENT_PATTERN's limit; the directory is cosmetic, so truncation is harmless.
    if (out.length > 150) break;
  }
  return out === "" ? "_empty" : out;
}

/** `data/<field>=<value>/.../<fileName>` for the given partition values (fields in the given order). */
export function partitionedPath(directory: "data" | "deletes", fieldNames: readonly string[], values: PartitionValues, fileName: string): string {
  const parts: string[] = [directory];
  for (const field of fieldNames) {
    validatePartitionFieldName(field);
    parts.push(`${field}=${encodePartitionSegment(values[field] ?? null)}`);
  }
  parts.push(fileName);
  return validateRelativePath(parts.join("/"), directory);
}
