import { EvoDBError } from "@evodb/core";

/**
 * Lexer of the SQL subset (docs/sql.md). Keywords are case-insensitive; `"..."` quotes an
 * identifier (a doubled `""` is a quote), `'...'` a string (`''` is a quote); `--` and `/* *\/`
 * are comments. Every token keeps its offset so errors can say line:column.
 */
export type TokenKind = "ident" | "quoted" | "string" | "number" | "op" | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** Identifier or keyword text as written, the unquoted content of quoted tokens, the operator. */
  readonly text: string;
  /** Offset of the first character in the source. */
  readonly offset: number;
}

/** Longest SQL text accepted; a query is a few KB, so anything past this is hostile or a mistake. */
export const MAX_SQL_LENGTH = 1 << 20;

const OPERATORS = ["<=", ">=", "!=", "<>", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", ".", ";"];

/** 1-based line and column of an offset. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A QUERY_PARSE error at an offset, naming what was expected and what was found. */
export function parseError(source: string, offset: number, expected: string, found: string): EvoDBError {
  const { line, column } = lineColumn(source, offset);
  return new EvoDBError("QUERY_PARSE", `SQL syntax error at ${line}:${column}: expected ${expected}, found ${found}.`, {
    details: { line, column, offset, expected, found },
  });
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Splits SQL text into tokens, ending with one `eof` token. */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_SQL_LENGTH) {
    throw new EvoDBError("LIMIT_EXCEEDED", `SQL text is ${source.length} characters; the limit is ${MAX_SQL_LENGTH}. Send a shorter query.`);
  }
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c === 45 && source.charCodeAt(i + 1) === 45) {
      const end = source.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === 47 && source.charCodeAt(i + 1) === 42) {
      const end = source.indexOf("*/", i + 2);
      if (end < 0) throw parseError(source, i, "the end of the /* comment */", "the end of the text");
      i = end + 2;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && (isIdentStart(source.charCodeAt(i)) || isDigit(source.charCodeAt(i)))) i++;
      tokens.push({ kind: "ident", text: source.slice(start, i), offset: start });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(source.charCodeAt(i + 1)))) {
      while (i < n && isDigit(source.charCodeAt(i))) i++;
      if (source.charCodeAt(i) === 46) {
        i++;
        while (i < n && isDigit(source.charCodeAt(i))) i++;
      }
      const e = source.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        if (source.charCodeAt(j) === 43 || source.charCodeAt(j) === 45) j++;
        if (!isDigit(source.charCodeAt(j))) throw parseError(source, j, "digits of the exponent", describeAt(source, j));
        while (j < n && isDigit(source.charCodeAt(j))) j++;
        i = j;
      }
      if (i < n && isIdentStart(source.charCodeAt(i))) throw parseError(source, i, "a space or an operator after the number", describeAt(source, i));
      tokens.push({ kind: "number", text: source.slice(start, i), offset: start });
      continue;
    }
    if (c === 39 || c === 34) {
      const quote = c === 39 ? "'" : '"';
      let text = "";
      i++;
      for (;;) {
        const end = source.indexOf(quote, i);
        if (end < 0) throw parseError(source, start, `the closing ${quote} of this ${c === 39 ? "string" : "identifier"}`, "the end of the text");
        text += source.slice(i, end);
        if (source[end + 1] === quote) {
          text += quote;
          i = end + 2;
          continue;
        }
        i = end + 1;
        break;
      }
      tokens.push({ kind: c === 39 ? "string" : "quoted", text, offset: start });
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined) throw parseError(source, i, "a keyword, name, number, string or operator", describeAt(source, i));
    tokens.push({ kind: "op", text: op === "<>" ? "!=" : op, offset: start });
    i += op.length;
  }
  tokens.push({ kind: "eof", text: "", offset: n });
  return tokens;
}

/** A short description of the text at an offset, for error messages. */
export function describeAt(source: string, offset: number): string {
  if (offset >= source.length) return "the end of the text";
  const cp = source.codePointAt(offset)!;
  return `'${String.fromCodePoint(cp)}'`;
}
