import { describe, expect, it } from "vitest";
import { jsonDifference, randomDocuments, Random, randomString } from "@evodb/test-utils";
import { isEvoDBError, MAX_JSON_DEPTH, parseJson, parseNdjson, stringifyJson, type JsonValue } from "../src/index";
import { parseJsonExact } from "../src/json";

function expectCode(run: () => unknown, code: string): Record<string, unknown> {
  try {
    run();
  } catch (error) {
    expect(isEvoDBError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    return (error as { details: Record<string, unknown> }).details ?? {};
  }
  throw new Error("expected an EvoDBError");
}

describe("parseJson", () => {
  it("keeps integers beyond 2^53 - 1 exactly as bigint and safe integers as numbers", () => {
    expect(parseJson("9007199254740991")).toBe(9007199254740991);
    expect(parseJson("-9007199254740991")).toBe(-9007199254740991);
    expect(parseJson("9007199254740992")).toBe(9007199254740992n);
    expect(parseJson("9007199254740993")).toBe(9007199254740993n);
    expect(parseJson("-18446744073709551616")).toBe(-18446744073709551616n);
    expect(parseJson('{"id":123456789012345678901234567890}')).toEqual({ id: 123456789012345678901234567890n });
    expect(parseJson("[1234567890123456]")).toEqual([1234567890123456]);
  });

  it("parses exponent and fraction forms to numbers, even when integral and huge", () => {
    expect(parseJson("1e3")).toBe(1000);
    expect(parseJson("1E+2")).toBe(100);
    expect(parseJson("9007199254740993.0")).toBe(9007199254740992);
    expect(parseJson("12345678901234567890e0")).toBe(12345678901234567890);
    expect(parseJson("2.5e-3")).toBe(0.0025);
    expect(parseJson("[0.30000000000000004]")).toEqual([0.30000000000000004]);
  });

  it("keeps -0 on both parse paths", () => {
    expect(Object.is(parseJson("-0"), -0)).toBe(true);
    expect(Object.is(parseJsonExact("-0"), -0)).toBe(true);
    expect(Object.is(parseJsonExact("-0.0e5"), -0)).toBe(true);
    expect(Object.is((parseJson("[-0, 12345678901234567890]") as JsonValue[])[0], -0)).toBe(true);
  });

  it("decodes escapes, astral characters and lone surrogates", () => {
    const text = '"a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\ud800x\\udc00 😀"';
    const expected = 'a"\\/\b\f\n\r\té😀\ud800x\udc00 😀';
    expect(parseJson(text)).toBe(expected);
    expect(parseJsonExact(text)).toBe(expected);
  });

  it("keeps a __proto__ key as an own member on the exact path", () => {
    const value = parseJsonExact('{"__proto__":{"x":1},"n":12345678901234567890}') as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__", "n"]);
    expect(jsonDifference(value["__proto__"], { x: 1 })).toBeUndefined();
  });

  it("reports malformed JSON with position, line and column", () => {
    const cases: [string, number][] = [
      ["", 0], ["{", 1], ['{"a" 1}', 5], ["[1,]", 3], ["[1 2]", 3], ["01", 1], ["1.", 2], ["1e", 2], ["-", 1],
      ['"abc', 4], ['"\\x"', 2], ['"\\u12G4"', 5], ["tru", 0], ["nul", 0], ["1 2", 2], ['{"a":1,}', 7],
      ['"a\nb"', 2], ["{'a':1}", 1], ["NaN", 0], ["[1]x", 3], ['{"a":\n  12345678901234567890x}', 28],
    ];
    for (const [text, position] of cases) {
      const details = expectCode(() => parseJson(text), "INVALID_ARGUMENT");
      expect(details.position, text).toBe(position);
    }
    const details = expectCode(() => parseJson('{\n  "a": [1,\n  2,, 3]}'), "INVALID_ARGUMENT");
    expect(details).toMatchObject({ line: 3, column: 5 });
  });

  it("accepts and rejects exactly what JSON.parse does on random mutations", () => {
    const random = new Random(11);
    const docs = randomDocuments(12, 400);
    for (const doc of docs) {
      const text = stringifyJson(doc);
      const chars = text.split("");
      const at = random.int(0, chars.length);
      const op = random.int(0, 2);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, random.pick(["{", "}", "[", "]", ",", ":", '"', "\\", "-", "1", "e", ".", " ", "x"]));
      else chars.splice(at, 1, random.pick(["0", "}", '"', ","]));
      const mutated = chars.join("");
      let nativeOk = true;
      try {
        JSON.parse(mutated);
      } catch {
        nativeOk = false;
      }
      let exactOk = true;
      try {
        parseJsonExact(mutated);
      } catch (error) {
        expect(isEvoDBError(error, "INVALID_ARGUMENT")).toBe(true);
        exactOk = false;
      }
      expect(exactOk, mutated).toBe(nativeOk);
    }
  });

  it("refuses nesting deeper than MAX_JSON_DEPTH on the exact path instead of overflowing the stack", () => {
    const deep = "[".repeat(MAX_JSON_DEPTH + 1) + "12345678901234567890" + "]".repeat(MAX_JSON_DEPTH + 1);
    expectCode(() => parseJson(deep), "LIMIT_EXCEEDED");
    const ok = "[".repeat(MAX_JSON_DEPTH) + "12345678901234567890" + "]".repeat(MAX_JSON_DEPTH);
    expect(stringifyJson(parseJson(ok))).toBe(ok);
  });
});

describe("stringifyJson", () => {
  it("writes bigints as digits, -0 as -0, and huge integral numbers in exponent form", () => {
    expect(stringifyJson([12345678901234567890n, -0, 0, 1e20, 2 ** 53, 1.5, -7])).toBe(
      "[12345678901234567890,-0,0,1e+20,9.007199254740992e+15,1.5,-7]",
    );
    expect(parseJson(stringifyJson(1e20))).toBe(1e20);
    expect(stringifyJson({ a: "\ud800", b: [] as JsonValue[], c: {} })).toBe('{"a":"\\ud800","b":[],"c":{}}');
  });

  it("skips undefined members like JSON.stringify and refuses what JSON cannot express", () => {
    expect(stringifyJson({ a: undefined, b: 1 } as unknown as JsonValue)).toBe('{"b":1}');
    for (const bad of [NaN, Infinity, -Infinity, [undefined], { f: () => 1 }, Symbol("s")]) {
      expectCode(() => stringifyJson(bad as unknown as JsonValue), "INVALID_ARGUMENT");
    }
  });

  it("refuses values nested deeper than MAX_JSON_DEPTH", () => {
    let value: JsonValue = 1;
    for (let i = 0; i <= MAX_JSON_DEPTH; i++) value = [value];
    expectCode(() => stringifyJson(value), "LIMIT_EXCEEDED");
  });
});

describe("JSON round trip", { timeout: 300_000 }, () => {
  it("parse(stringify(v)) equals v exactly for 10,000 random documents, on both parse paths", () => {
    const docs = randomDocuments(20260101, 10_000);
    for (const doc of docs) {
      const text = stringifyJson(doc);
      expect(jsonDifference(parseJson(text), doc), text).toBeUndefined();
      expect(jsonDifference(parseJsonExact(text), doc), text).toBeUndefined();
    }
  });

  it("agrees with JSON.parse on texts JSON.stringify writes (no big integers)", () => {
    const random = new Random(3);
    for (let i = 0; i < 2000; i++) {
      const value = { s: randomString(random, random.int(0, 40)), n: (random.next() - 0.5) * 1e6, k: [random.int(0, 9)] };
      const text = JSON.stringify(value);
      expect(jsonDifference(parseJsonExact(text), JSON.parse(text))).toBeUndefined();
    }
  });

  it("round-trips a 1 MB string and the safe-integer limits", () => {
    const big = randomString(new Random(5), 1 << 20);
    expect(parseJson(stringifyJson(big))).toBe(big);
    expect(parseJsonExact(stringifyJson(big))).toBe(big);
    for (const n of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2n ** 53n, -(2n ** 53n), 2n ** 64n]) {
      expect(parseJson(stringifyJson(n))).toBe(n);
    }
  });
});

describe("parseNdjson", () => {
  it("parses one document per line, skipping blank lines, and names the failing line", () => {
    expect(parseNdjson('{"a":1}\n\n  \n[12345678901234567890]\r\n"x"')).toEqual([{ a: 1 }, [12345678901234567890n], "x"]);
    expect(parseNdjson("")).toEqual([]);
    const details = expectCode(() => parseNdjson('{"a":1}\n{"a":}\n'), "INVALID_ARGUMENT");
    expect(details).toMatchObject({ line: 2, position: 5 });
  });
});
