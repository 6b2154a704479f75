import type { JsonValue } from "./column";
import { EvoDBError } from "./errors";
import { MAX_JSON_DEPTH, parseJsonExact } from "./json-exact";

export { MAX_JSON_DEPTH, parseJsonExact, setMember } from "./json-exact";

/**
 * Lossless JSON text <-> {@link JsonValue}.
 *
 * `JSON.parse` rounds integers beyond 2^53 and `JSON.stringify` writes `-0` as `0` and throws on
 * `bigint`, so neither round-trips what EvoDB stores. The rules here:
 * - an integer token (no fraction, no exponent) outside the safe range (|v| > 2^53 - 1) parses to a
 *   `bigint`; every other number token parses to a `number` (`-0` stays -0, `1e3` is 1000);
 * - `stringifyJson` writes a `bigint` as its digits, -0 as `-0`, and a `number` that is an integer
 *   outside the safe range (e.g. `1e20`) in exponent form, so it parses back as a number, not a bigint;
 * - strings are any UTF-16, lone surrogates included (written as `\uXXXX`).
 * So `parseJson(stringifyJson(v))` deep-equals `v` (numbers compared with `Object.is`). Object key
 * order follows JavaScript semantics (integer-like keys first), as with `JSON.parse`.
 *
 * Speed: `parseJson` hands text to the native `JSON.parse` unless a regular-expression pre-scan finds
 * an integer token of 16 or more digits (the only kind that can exceed 2^53 - 1); only then does the
 * hand-written parser below run. Errors from either path report the exact position.
 */

/** An integer token of at least 16 digits starting after a JSON delimiter: may be beyond 2^53 - 1. */
const LONG_INTEGER = /(?:^|[\s,:[])-?\d{16}/;

/**
 * Parses one JSON text losslessly (see the module comment). Throws
 * `EvoDBError("INVALID_ARGUMENT")` with `details.position` (0-based UTF-16 offset), `line` and
 * `column` (1-based) on malformed text, and `LIMIT_EXCEEDED` beyond {@link MAX_JSON_DEPTH} on the
 * lossless path.
 */
export function parseJson(text: string): JsonValue {
  if (!LONG_INTEGER.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // Native messages differ between engines and lack line/column: re-parse to report precisely.
    }
  }
  return parseJsonExact(text);
}

/**
 * Parses newline-delimited JSON: one document per line, blank lines skipped. Errors name the
 * 1-based line in `details.line` and the position inside that line.
 */
export function parseNdjson(text: string): JsonValue[] {
  const docs: JsonValue[] = [];
  let start = 0;
  let lineNumber = 1;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (line.trim() !== "") {
      try {
        docs.push(parseJson(line));
      } catch (error) {
        const inner = error as EvoDBError;
        throw new EvoDBError(inner.code, `NDJSON line ${lineNumber}: ${inner.message}`, {
          cause: error,
          details: { ...inner.details, line: lineNumber },
        });
      }
    }
    start = end + 1;
    lineNumber++;
  }
  return docs;
}

/**
 * Writes a {@link JsonValue} as compact JSON text that {@link parseJson} reads back exactly (see the
 * module comment). Object members whose value is `undefined` are skipped, as `JSON.stringify` does.
 * Throws `EvoDBError("INVALID_ARGUMENT")` for values JSON cannot express (NaN, Infinity, `undefined`
 * array elements, functions, symbols) and `LIMIT_EXCEEDED` beyond {@link MAX_JSON_DEPTH}.
 */
export function stringifyJson(value: JsonValue): string {
  // Native JSON.stringify is several times faster than writeValue; it is exact unless the value
  // holds something it writes lossily (-0, bigint, unsafe integral numbers, NaN, undefined in
  // arrays, functions) or nests too deep. A read-only scan for those is much cheaper than writing.
  return isNativeSafe(value, 0) ? JSON.stringify(value) : writeValue(value, 0);
}

function isNativeSafe(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return value !== 0 ? Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value)) : 1 / value > 0;
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isNativeSafe(item, depth + 1)) return false;
        }
        return true;
      }
      const object = value as { [key: string]: unknown };
      for (const key in object) {
        const member = object[key];
        if (member !== undefined && !isNativeSafe(member, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function writeValue(value: unknown, depth: number): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return writeNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "object": {
      if (value === null) return "null";
      if (depth >= MAX_JSON_DEPTH) {
        throw new EvoDBError("LIMIT_EXCEEDED", `Cannot write JSON nested deeper than ${MAX_JSON_DEPTH} levels`, {
          details: { maxDepth: MAX_JSON_DEPTH },
        });
      }
      if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) throw invalidValue(`undefined at array index ${i}`);
          out += (i === 0 ? "" : ",") + writeValue(item, depth + 1);
        }
        return out + "]";
      }
      let out = "{";
      let first = true;
      const object = value as { [key: string]: unknown };
      for (const key in object) {
        const member = object[key];
        if (member === undefined) continue;
        out += (first ? "" : ",") + JSON.stringify(key) + ":" + writeValue(member, depth + 1);
        first = false;
      }
      return out + "}";
    }
    default:
      throw invalidValue(`a value of type ${typeof value}`);
  }
}

function writeNumber(value: number): string {
  if (value === 0) return 1 / value < 0 ? "-0" : "0";
  if (!Number.isFinite(value)) throw invalidValue(String(value));
  // An integral number beyond 2^53 - 1 written as digits would parse back as a bigint.
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value.toExponential();
  return String(value);
}

function invalidValue(what: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", `JSON cannot represent ${what}; convert it (e.g. to null or a string) first`);
}
