import { describe, expect, it } from "vitest";
import { Random } from "@evodb/test-utils";
import type { JsonValue } from "../src/column";
import { ByteReader, ByteWriter } from "../src/encoding/bytes";
import { MAX_VARIANT_DEPTH, readVariant, writeVariant } from "../src/encoding/variant";
import { EvoDBError, isEvoDBError } from "../src/errors";

function roundTrip(value: JsonValue): JsonValue {
  const w = new ByteWriter();
  writeVariant(w, value);
  const r = new ByteReader(w.finish());
  const out = readVariant(r);
  r.expectEnd("variant");
  return out;
}

function randomValue(rnd: Random, depth: number): JsonValue {
  const k = rnd.int(0, depth > 4 ? 7 : 9);
  switch (k) {
    case 0: return null;
    case 1: return rnd.chance(0.5);
    case 2: return rnd.int(-(2 ** 31), 2 ** 31) * rnd.pick([1, 2 ** 21]);
    case 3: return rnd.pick([-0, 0.1, 1e300, -5e-324, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 1.5]);
    case 4: return rnd.pick([2n ** 64n, -(2n ** 64n), 2n ** 53n, -(2n ** 63n), 0n, -1n, 127n, 128n, -128n, -129n, 10n ** 40n]);
    case 5: return Array.from({ length: rnd.int(0, 8) }, () => rnd.pick(["a", "é", "😀", "\ud800", ""])).join("");
    case 6: return rnd.pick(["", "__proto__", "constructor"]);
    case 7: return rnd.int(0, 1000);
    case 8: return Array.from({ length: rnd.int(0, 5) }, () => randomValue(rnd, depth + 1));
    default: {
      const o: { [key: string]: JsonValue } = {};
      for (let i = rnd.int(0, 5); i > 0; i--) {
        const key = rnd.pick(["a", "b", "", "__proto__", "1", "ключ", "x.y"]);
        Object.defineProperty(o, key, { value: randomValue(rnd, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
  }
}

// Generous timeout: the test machine is shared, and timings are never asserted.
const SLOW = 60_000;

describe("variant codec", () => {
  it("named edge cases", () => {
    const cases: JsonValue[] = [null, true, false, 0, -0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 0.5, "", "\ud800", [], {}, [[[]]], { a: {} }];
    for (const v of cases) expect(roundTrip(v)).toStrictEqual(v);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(roundTrip(2n ** 200n + 1n)).toBe(2n ** 200n + 1n);
    expect(roundTrip(-(2n ** 200n))).toBe(-(2n ** 200n));
    expect(roundTrip(5n)).toBe(5n);
    const big = "x".repeat(1 << 20);
    expect(roundTrip(big)).toBe(big);
    const proto = roundTrip(JSON.parse('{"__proto__": {"polluted": 1}}') as JsonValue) as object;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(["__proto__"]);
  }, SLOW);

  it("seeded random values round-trip exactly", () => {
    const rnd = new Random(31337);
    for (let i = 0; i < 3000; i++) {
      const v = randomValue(rnd, 0);
      expect(roundTrip(v)).toStrictEqual(v);
    }
  }, SLOW);

  it("nesting up to the limit works; deeper or cyclic input is refused", () => {
    let deep: JsonValue = 1;
    for (let i = 0; i < MAX_VARIANT_DEPTH; i++) deep = [deep];
    expect(roundTrip(deep)).toEqual(deep);
    expect(() => roundTrip([deep])).toThrow(EvoDBError);
    const cyclic: JsonValue[] = [];
    cyclic.push(cyclic);
    expect(() => roundTrip(cyclic)).toThrow(EvoDBError);
    expect(() => roundTrip(undefined as unknown as JsonValue)).toThrow(EvoDBError);
  }, SLOW);

  it("hostile bytes give CORRUPT_BLOCK only", () => {
    const rnd = new Random(4);
    const w = new ByteWriter();
    for (let i = 0; i < 50; i++) writeVariant(w, randomValue(rnd, 0));
    const good = w.finish();
    const attempt = (b: Uint8Array): void => {
      try {
        const r = new ByteReader(b);
        while (r.remaining > 0) readVariant(r);
      } catch (e) {
        expect(isEvoDBError(e, "CORRUPT_BLOCK")).toBe(true);
      }
    };
    for (let i = 0; i < 2000; i++) {
      const b = good.slice(0, rnd.int(0, good.length));
      b[rnd.int(0, Math.max(0, b.length - 1))] = rnd.nextUint32() & 0xff;
      attempt(b);
      attempt(rnd.bytes(rnd.int(0, 40)));
    }
    // A claimed huge array must not allocate beyond the bytes present.
    attempt(Uint8Array.of(8, 0xff, 0xff, 0xff, 0xff, 0x0f));
    // 5,000 nested array headers exceed the depth limit without overflowing the stack.
    attempt(new Uint8Array(10_000).map((_, i) => (i % 2 === 0 ? 8 : 1)));
  }, SLOW);
});
