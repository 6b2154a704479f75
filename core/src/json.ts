import type { JsonValue } from "./column";
import { EvoDBError } from "./errors";

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

/**
 * Deepest nesting the hand-written parser and {@link stringifyJson} accept, so hostile input gives an
 * EvoDBError instead of a stack overflow. Same default as ClickHouse's `input_format_json_max_depth`.
 */
export const MAX_JSON_DEPTH = 1000;

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
 * The hand-written lossless parser, used by {@link parseJson} when the text may hold big integers.
 * Exported for tests that must exercise it on any text; prefer `parseJson`.
 */
export function parseJsonExact(text: string): JsonValue {
  const parser = new ExactParser(text);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (parser.pos < text.length) parser.fail("end of input");
  return value;
}

class ExactParser {
  pos = 0;
  constructor(readonly text: string) {}

  skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.pos = pos;
  }

  parseValue(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x22) return this.parseString();
    if (c === 0x7b) return this.parseObject(depth + 1);
    if (c === 0x5b) return this.parseArray(depth + 1);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (c === 0x74) return this.parseLiteral("true", true);
    if (c === 0x66) return this.parseLiteral("false", false);
    if (c === 0x6e) return this.parseLiteral("null", null);
    return this.fail("a JSON value");
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_JSON_DEPTH) {
      throw new EvoDBError("LIMIT_EXCEEDED", `JSON nested deeper than ${MAX_JSON_DEPTH} levels at position ${this.pos}`, {
        details: { position: this.pos, maxDepth: MAX_JSON_DEPTH },
      });
    }
  }

  private parseObject(depth: number): JsonValue {
    this.checkDepth(depth);
    const object: { [key: string]: JsonValue } = {};
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return object;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail("a string key");
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("':'");
      this.pos++;
      this.skipWhitespace();
      setMember(object, key, this.parseValue(depth));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x7d) return object;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("',' or '}'");
      }
      this.skipWhitespace();
    }
  }

  private parseArray(depth: number): JsonValue {
    this.checkDepth(depth);
    const array: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return array;
    }
    for (;;) {
      array.push(this.parseValue(depth));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x5d) return array;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("',' or ']'");
      }
      this.skipWhitespace();
    }
  }

  private parseString(): string {
    const text = this.text;
    const start = ++this.pos;
    let pos = start;
    // Fast scan: most strings have no escapes and can be sliced out whole.
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        this.pos = pos + 1;
        return text.slice(start, pos);
      }
      if (c === 0x5c) break;
      if (c < 0x20 || Number.isNaN(c)) {
        this.pos = pos;
        return this.fail(Number.isNaN(c) ? "'\"' closing the string" : "an escaped control character");
      }
      pos++;
    }
    let out = text.slice(start, pos);
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        this.pos = pos + 1;
        return out;
      }
      if (c === 0x5c) {
        this.pos = pos;
        out += this.parseEscape();
        pos = this.pos;
        continue;
      }
      if (c < 0x20 || Number.isNaN(c)) {
        this.pos = pos;
        return this.fail(Number.isNaN(c) ? "'\"' closing the string" : "an escaped control character");
      }
      const runStart = pos;
      while (pos < text.length) {
        const d = text.charCodeAt(pos);
        if (d === 0x22 || d === 0x5c || d < 0x20) break;
        pos++;
      }
      out += text.slice(runStart, pos);
    }
  }

  /** Parses the escape at `pos` (which holds the backslash) and leaves `pos` after it. */
  private parseEscape(): string {
    const text = this.text;
    const c = text.charCodeAt(this.pos + 1);
    this.pos += 2;
    switch (c) {
      case 0x22: return '"';
      case 0x5c: return "\\";
      case 0x2f: return "/";
      case 0x62: return "\b";
      case 0x66: return "\f";
      case 0x6e: return "\n";
      case 0x72: return "\r";
      case 0x74: return "\t";
      case 0x75: {
        let code = 0;
        for (let i = 0; i < 4; i++) {
          const h = hexDigit(text.charCodeAt(this.pos + i));
          if (h < 0) {
            this.pos += i;
            return this.fail("4 hex digits after \\u");
          }
          code = code * 16 + h;
        }
        this.pos += 4;
        return String.fromCharCode(code);
      }
      default:
        this.pos--;
        return this.fail("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
    }
  }

  private parseNumber(): number | bigint {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === 0x2d) pos++;
    const firstDigit = text.charCodeAt(pos);
    if (firstDigit === 0x30) pos++;
    else if (firstDigit >= 0x31 && firstDigit <= 0x39) pos = skipDigits(text, pos);
    else return this.failAt(pos, "a digit");
    let isInteger = true;
    if (text.charCodeAt(pos) === 0x2e) {
      isInteger = false;
      const afterPoint = skipDigits(text, pos + 1);
      if (afterPoint === pos + 1) return this.failAt(afterPoint, "a digit after '.'");
      pos = afterPoint;
    }
    const e = text.charCodeAt(pos);
    if (e === 0x65 || e === 0x45) {
      isInteger = false;
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === 0x2b || sign === 0x2d) pos++;
      const afterExponent = skipDigits(text, pos);
      if (afterExponent === pos) return this.failAt(pos, "a digit in the exponent");
      pos = afterExponent;
    }
    this.pos = pos;
    const token = text.slice(start, pos);
    const value = Number(token);
    // An integer token that rounds outside the safe range was > 2^53 - 1 exactly: keep it as bigint.
    if (isInteger && !Number.isSafeInteger(value)) return BigInt(token);
    return value;
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`'${word}'`);
    this.pos += word.length;
    return value;
  }

  private failAt(pos: number, expected: string): never {
    this.pos = pos;
    return this.fail(expected);
  }

  fail(expected: string): never {
    const { text, pos } = this;
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf("\n"); i >= 0 && i < pos; i = text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    const column = pos - lineStart + 1;
    const found = pos >= text.length ? "end of input" : JSON.stringify(text.slice(pos, pos + 12));
    throw new EvoDBError(
      "INVALID_ARGUMENT",
      `Invalid JSON at position ${pos} (line ${line}, column ${column}): expected ${expected}, found ${found}`,
      { details: { position: pos, line, column, expected } },
    );
  }
}

function skipDigits(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c < 0x30 || c > 0x39 || Number.isNaN(c)) return pos;
    pos++;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Sets `object[key] = value` as an own data property. Plain assignment would treat a `"__proto__"`
 * key as the prototype setter and silently drop the member (or let input replace the prototype).
 */
export function setMember(object: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
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
