import type { ShreddedBatch, ShreddedColumn } from "../column";
import { EvoDBError } from "../errors";

/**
 * Path names: one string per column path, for manifests, schemas, statistics, SQL column references
 * and map keys. Spec: docs/shredding.md section "Path names".
 *
 * Keys are joined with `.`. A key is written bare unless it is empty, contains a `.` or starts with
 * `"`; then it is written as a JSON string literal (`JSON.stringify(key)`). So `["user", "name"]` is
 * `user.name`, `["a.b", ""]` is `"a.b".""`, and the root path `[]` is the empty name. Every path has
 * exactly one name and every valid name exactly one path, because a bare key can never contain `.`
 * nor begin with `"`.
 */

/** The name of `path` (see the module comment). */
export function pathToName(path: readonly string[]): string {
  let name = "";
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (i > 0) name += ".";
    name += needsQuotes(key) ? JSON.stringify(key) : key;
  }
  return name;
}

function needsQuotes(key: string): boolean {
  return key === "" || key.charCodeAt(0) === 0x22 || key.includes(".");
}

/**
 * The path a name denotes; the inverse of {@link pathToName}. Throws
 * `EvoDBError("INVALID_ARGUMENT")` for names no path produces (empty segment, bad quoting).
 */
export function nameToPath(name: string): string[] {
  const path: string[] = [];
  if (name === "") return path;
  let pos = 0;
  for (;;) {
    if (name.charCodeAt(pos) === 0x22) {
      const end = closingQuote(name, pos);
      let key: unknown;
      try {
        key = JSON.parse(name.slice(pos, end + 1));
      } catch (error) {
        throw invalidName(name, pos, "a valid JSON string literal", error);
      }
      path.push(key as string);
      pos = end + 1;
    } else {
      let end = name.indexOf(".", pos);
      if (end < 0) end = name.length;
      if (end === pos) throw invalidName(name, pos, "a key (write an empty key as \"\")");
      path.push(name.slice(pos, end));
      pos = end;
    }
    if (pos === name.length) return path;
    if (name.charCodeAt(pos) !== 0x2e) throw invalidName(name, pos, "'.' after a quoted key");
    pos++;
    if (pos === name.length) throw invalidName(name, pos, "a key after '.'");
  }
}

function closingQuote(name: string, open: number): number {
  for (let i = open + 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  throw invalidName(name, open, "a closing '\"'");
}

function invalidName(name: string, position: number, expected: string, cause?: unknown): EvoDBError {
  return new EvoDBError(
    "INVALID_ARGUMENT",
    `Invalid path name ${JSON.stringify(name)} at ${position}: expected ${expected} (see docs/shredding.md, "Path names")`,
    { cause, details: { name, position } },
  );
}

/** True when the two paths have the same keys. */
export function samePath(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The column of `batch` at `path`, or undefined. Linear in the number of columns; see {@link indexColumns}. */
export function columnByPath(batch: ShreddedBatch, path: readonly string[]): ShreddedColumn | undefined {
  for (const column of batch.columns) if (samePath(column.path, path)) return column;
  return undefined;
}

/** A map from path name ({@link pathToName}) to column, for repeated lookups. */
export function indexColumns(batch: ShreddedBatch): Map<string, ShreddedColumn> {
  const index = new Map<string, ShreddedColumn>();
  for (const column of batch.columns) index.set(pathToName(column.path), column);
  return index;
}
