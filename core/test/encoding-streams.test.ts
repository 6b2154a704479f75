import { describe, expect, it } from "vitest";
import { Random } from "@evodb/test-utils";
import { ByteReader, ByteWriter } from "../src/encoding/bytes";
import { readFloatStream, writeFloatStream } from "../src/encoding/float";
import { FloatEncoding, IntEncoding, StringEncoding } from "../src/encoding/ids";
import { readIntStream, writeIntStream } from "../src/encoding/int";
import { readStringStream, writeStringStream } from "../src/encoding/string";
import { EvoDBError } from "../src/errors";

const MAX = Number.MAX_SAFE_INTEGER;

/** Index of the first value whose bits differ (-1 if none): vitest's deep equality is too slow for big arrays. */
function firstBitDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length * 2);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i >>> 1;
  return -1;
}

function roundTripInts(values: Float64Array): { id: number; bytes: number } {
  const w = new ByteWriter();
  const id = writeIntStream(w, values, 0, values.length);
  const bytes = w.finish();
  const out = new Float64Array(values.length);
  const r = new ByteReader(bytes);
  expect(readIntStream(r, values.length, out, 0)).toBe(id);
  r.expectEnd("int stream");
  expect(firstBitDifference(out, values)).toBe(-1);
  return { id, bytes: bytes.length };
}

function roundTripFloats(values: Float64Array): number {
  const w = new ByteWriter();
  const id = writeFloatStream(w, values, 0, values.length);
  const out = new Float64Array(values.length);
  const r = new ByteReader(w.finish());
  expect(readFloatStream(r, values.length, out, 0)).toBe(id);
  r.expectEnd("float stream");
  // Bit-exact: keeps -0 distinct from 0.
  expect(firstBitDifference(out, values)).toBe(-1);
  return id;
}

function roundTripStrings(values: string[]): number {
  const w = new ByteWriter();
  const id = writeStringStream(w, values, 0, values.length);
  const out = new Array<string>(values.length);
  const r = new ByteReader(w.finish());
  expect(readStringStream(r, values.length, out, 0)).toBe(id);
  r.expectEnd("string stream");
  expect(out.length).toBe(values.length);
  expect(out.findIndex((s, i) => s !== values[i])).toBe(-1);
  return id;
}

/** Every prefix and many random corruptions must give an EvoDBError or a full decode, never another throw. */
function expectHostileSafe(bytes: Uint8Array, count: number, read: (r: ByteReader) => void, seed: number): void {
  const rnd = new Random(seed);
  const attempt = (b: Uint8Array): void => {
    try {
      read(new ByteReader(b));
    } catch (e) {
      expect(e).toBeInstanceOf(EvoDBError);
    }
  };
  for (let cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length >>> 6)) attempt(bytes.slice(0, cut));
  for (let i = 0; i < 300; i++) {
    const b = bytes.slice();
    for (let k = rnd.int(1, 4); k > 0; k--) b[rnd.int(0, b.length - 1)] = rnd.nextUint32() & 0xff;
    attempt(b);
  }
  for (let i = 0; i < 100; i++) attempt(rnd.bytes(rnd.int(0, 64)));
  expect(count).toBeGreaterThanOrEqual(0);
}

// Heavy cases get a long timeout: the test machine is shared, and timings are never asserted.
const SLOW = 60_000;

describe("int streams", () => {
  it("named edge cases", () => {
    expect(roundTripInts(new Float64Array(0)).bytes).toBeLessThan(32);
    roundTripInts(Float64Array.of(42));
    roundTripInts(Float64Array.of(MAX, -MAX));
    roundTripInts(Float64Array.of(MAX, MAX, MAX));
    roundTripInts(Float64Array.of(-MAX, 0, MAX, 1, -1));
    // The sum of two extreme deltas rounds in float64: delta must not be chosen for it.
    roundTripInts(Float64Array.of(-MAX, MAX - 1));
    roundTripInts(Float64Array.of(MAX - 1, -MAX, MAX - 1, -MAX));
  }, SLOW);

  it("chooses frame of reference so large values with a small range bit-pack", () => {
    const values = new Float64Array(1000);
    const rnd = new Random(3);
    for (let i = 0; i < values.length; i++) values[i] = 2 ** 52 + rnd.int(0, 1000);
    const { id, bytes } = roundTripInts(values);
    expect(id).toBe(IntEncoding.FrameOfReference);
    expect(bytes).toBeLessThan(1000 * 2);
  }, SLOW);

  it("chooses delta for timestamps, run-length for runs, dictionary for few large values", () => {
    const ts = new Float64Array(5000);
    for (let i = 0; i < ts.length; i++) ts[i] = 1_700_000_000_000 + i * 1000 + (i % 7);
    expect(roundTripInts(ts).id).toBe(IntEncoding.Delta);
    const runs = new Float64Array(5000);
    for (let i = 0; i < runs.length; i++) runs[i] = Math.floor(i / 500) * 3;
    expect(roundTripInts(runs).id).toBe(IntEncoding.RunLength);
    const rnd = new Random(4);
    const big = [MAX, -MAX, 2 ** 50, -(2 ** 49), 7];
    const sparse = new Float64Array(5000);
    for (let i = 0; i < sparse.length; i++) sparse[i] = rnd.pick(big);
    expect(roundTripInts(sparse).id).toBe(IntEncoding.Dictionary);
  }, SLOW);

  it("more than 65,536 distinct values", () => {
    const values = new Float64Array(200_000);
    for (let i = 0; i < values.length; i++) values[i] = ((i * 7919) % 100_003) * 1_000_000_007;
    roundTripInts(values);
  }, SLOW);

  it("seeded random round trips across shapes", () => {
    const rnd = new Random(2024);
    for (let t = 0; t < 300; t++) {
      const n = rnd.int(0, 3000);
      const shape = rnd.int(0, 4);
      const values = new Float64Array(n);
      let run = 0;
      for (let i = 0; i < n; i++) {
        if (shape === 0) values[i] = rnd.int(-(2 ** 31), 2 ** 31);
        else if (shape === 1) values[i] = (rnd.next() - 0.5) * 2 * MAX - ((rnd.next() * 2 * MAX) % 1);
        else if (shape === 2) values[i] = i > 0 && rnd.chance(0.9) ? values[i - 1]! : rnd.int(0, 50);
        else if (shape === 3) values[i] = (run += rnd.int(0, 100));
        else values[i] = rnd.pick([0, 1, MAX, -MAX, 2 ** 40]);
        values[i] = Math.trunc(values[i]!) + 0;
      }
      roundTripInts(values);
    }
  }, SLOW);

  it("hostile bytes give EvoDBError only", () => {
    const rnd = new Random(5);
    for (const gen of [
      (i: number) => i * 3,
      (i: number) => Math.floor(i / 40),
      (_: number) => rnd.pick([MAX, -MAX, 3]),
      (_: number) => rnd.int(0, 1e9) * 1e6,
    ]) {
      const values = Float64Array.from({ length: 700 }, (_, i) => gen(i));
      const w = new ByteWriter();
      writeIntStream(w, values, 0, values.length);
      expectHostileSafe(w.finish(), values.length, (r) => readIntStream(r, values.length, new Float64Array(values.length), 0), 6);
    }
  }, SLOW);
});

describe("float streams", () => {
  it("named edge cases, -0 and non-finite values kept bit-exact", () => {
    expect(roundTripFloats(new Float64Array(0))).toBe(FloatEncoding.Integral);
    roundTripFloats(Float64Array.of(0.1));
    roundTripFloats(Float64Array.of(-0, 0, -0));
    roundTripFloats(Float64Array.of(Number.NaN, Infinity, -Infinity, 5e-324, 1.7976931348623157e308));
    roundTripFloats(Float64Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? -0 : 2.5)));
  }, SLOW);

  it("picks integral, decimal, dictionary and plain where each fits", () => {
    expect(roundTripFloats(Float64Array.from({ length: 100 }, (_, i) => i * 10))).toBe(FloatEncoding.Integral);
    expect(roundTripFloats(Float64Array.from({ length: 100 }, (_, i) => (1999 + i) / 100))).not.toBe(FloatEncoding.Plain);
    expect(roundTripFloats(Float64Array.from({ length: 1000 }, (_, i) => [Math.PI, Math.E, Math.SQRT2][i % 3]!))).toBe(FloatEncoding.Dictionary);
    const rnd = new Random(8);
    expect(roundTripFloats(Float64Array.from({ length: 1000 }, () => rnd.next() * 1e6))).toBe(FloatEncoding.Plain);
  }, SLOW);

  it("seeded random round trips", () => {
    const rnd = new Random(99);
    for (let t = 0; t < 200; t++) {
      const n = rnd.int(0, 2000);
      const kind = rnd.int(0, 3);
      const values = Float64Array.from({ length: n }, () =>
        kind === 0 ? rnd.int(-1e6, 1e6) / 100 : kind === 1 ? (rnd.next() - 0.5) * 10 ** rnd.int(-300, 300) : kind === 2 ? rnd.pick([-0, 0.5, 1e300, -2.25]) : rnd.int(-1e9, 1e9),
      );
      roundTripFloats(values);
    }
  }, SLOW);

  it("hostile bytes give EvoDBError only", () => {
    for (const values of [
      Float64Array.from({ length: 300 }, (_, i) => i / 4),
      Float64Array.from({ length: 300 }, (_, i) => Math.sin(i)),
      Float64Array.from({ length: 300 }, (_, i) => [1.5, -0, 3.25e10][i % 3]!),
    ]) {
      const w = new ByteWriter();
      writeFloatStream(w, values, 0, values.length);
      expectHostileSafe(w.finish(), values.length, (r) => readFloatStream(r, values.length, new Float64Array(values.length), 0), 7);
    }
  }, SLOW);
});

describe("string streams", () => {
  it("named edge cases: empty, one, empty strings, 1 MB string, unicode and lone surrogates", () => {
    roundTripStrings([]);
    roundTripStrings(["x"]);
    roundTripStrings(["", "", ""]);
    const rnd = new Random(1);
    const big = Array.from({ length: 1 << 20 }, () => String.fromCharCode(rnd.int(32, 126))).join("");
    roundTripStrings([big, "a", big.slice(0, 1000) + "é"]);
    roundTripStrings(["héllo", "日本語", "😀", "a\u0000b", "\ud800", "x\udfffy", "\udbff\udfff", "\ud83d"]);
  }, SLOW);

  it("well-formed non-ASCII text (1- to 4-byte sequences) round-trips through the single-decode path", () => {
    const rnd = new Random(21);
    const alphabet = ["a", "é", "ß", "中", "😀", "𝄞", " ", "\u0000", "\u07ff", "\uffff"];
    for (let t = 0; t < 100; t++) {
      roundTripStrings(Array.from({ length: rnd.int(1, 300) }, () => Array.from({ length: rnd.int(0, 9) }, () => rnd.pick(alphabet)).join("")));
    }
  }, SLOW);

  it("more than 65,536 distinct values, as plain and as dictionary", () => {
    const distinct = Array.from({ length: 70_000 }, (_, i) => `user-${i}`);
    expect(roundTripStrings(distinct)).toBe(StringEncoding.Plain);
    const repeated = Array.from({ length: 300_000 }, (_, i) => distinct[(i * 31) % distinct.length]!);
    expect(roundTripStrings(repeated)).toBe(StringEncoding.Dictionary);
  }, SLOW);

  it("seeded random round trips", () => {
    const rnd = new Random(77);
    const alphabet = ["a", "b", "Z", "é", "ß", "中", "😀", "\u0000", "\ud800", " "];
    for (let t = 0; t < 200; t++) {
      const pool = Array.from({ length: rnd.int(1, 40) }, () => Array.from({ length: rnd.int(0, 12) }, () => rnd.pick(alphabet)).join(""));
      roundTripStrings(Array.from({ length: rnd.int(0, 500) }, () => rnd.pick(pool)));
    }
  }, SLOW);

  it("hostile bytes give EvoDBError only", () => {
    for (const values of [
      Array.from({ length: 200 }, (_, i) => `v${i % 5}`),
      Array.from({ length: 200 }, (_, i) => `value ${i} é`),
    ]) {
      const w = new ByteWriter();
      writeStringStream(w, values, 0, values.length);
      expectHostileSafe(w.finish(), values.length, (r) => readStringStream(r, values.length, new Array<string>(values.length), 0), 9);
    }
  }, SLOW);
});
