import type { JsonValue } from "./column";
import { EvoDBError } from "./errors";

/**
 * The hand-written lossless JSON parser behind `parseJson` (json.ts), which only calls it when the
 * text may hold integers beyond 2^53 - 1 (or to locate an error precisely). Strict RFC 8259 grammar,
 * the same acceptance as `JSON.parse`, plus: integer tokens outside the safe range become `bigint`,
 * `__proto__` keys become own members, nesting is limited to {@link MAX_JSON_DEPTH}.
 */

/**
 * Deepest nesting the hand-written parser and `stringifyJson` accept, so hostile input gives an
 * EvoDBError instead of a stack overflow. Same default as ClickHouse's `input_format_json_max_depth`.
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * The hand-written lossless parser, used by `parseJson` when the text may hold big integers.
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
