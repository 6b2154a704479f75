/**
 * Round-trip and hostile-input tests of the low-level decoders. The encoders here are small
 * reference implementations written from the format definitions (Lance itself only ships
 * encoders in Rust); the decoders are also checked end to end on lancedb's files elsewhere.
 */
import { describe, expect, it } from "vitest";
import { EvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { parseProto, readVarint } from "../src/protobuf";
import { BLOCK, unpackInline, unpackOutOfLine } from "../src/codec/fastlanes";
import { lz4DecompressBlock, lz4DecompressPrefixed } from "../src/codec/lz4";
import { fsstDecompress, parseFsstTable } from "../src/codec/fsst";
import { readRoaring } from "../src/roaring";

const FL_ORDER = [0, 4, 2, 6, 1, 5, 3, 7];

function expectOnlyEvoDBErrors(work: () => unknown): void {
  try {
    work();
  } catch (e) {
    if (!(e instanceof EvoDBError)) throw e;
  }
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}

describe("protobuf varints and messages", () => {
  it("round-trips edge and random values, 2^53-1 and 2^64-1 exactly", () => {
    const rng = new Random(1);
    const values = [0n, 1n, 127n, 128n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n];
    for (let i = 0; i < 500; i++) values.push((BigInt(rng.nextUint32()) << BigInt(rng.int(0, 32))) + BigInt(rng.nextUint32()));
    for (const v of values) {
      const [got, next] = readVarint(Uint8Array.from(varint(v)), 0);
      expect(BigInt(got)).toBe(BigInt.asUintN(64, v));
      expect(typeof got).toBe(BigInt.asUintN(64, v) > 2n ** 53n - 1n ? "bigint" : "number");
      expect(next).toBe(varint(v).length);
    }
  });

  it("reads negative int32, packed repeated fields, nested messages and strings", () => {
    const inner = [0x12, 3, ...new TextEncoder().encode("abc")];
    const bytes = Uint8Array.from([0x08, ...varint(-1n), 0x12, 3, 1, 2, 150 & 0x7f, 0x1a, inner.length, ...inner]);
    const m = parseProto(bytes);
    expect(m.int32(1)).toBe(-1);
    expect(m.message(3)!.string(2)).toBe("abc");
    expect(m.has(4)).toBe(false);
  });

  it("gives CORRUPT_LANCE on truncated and random bytes", () => {
    const rng = new Random(2);
    expect(() => parseProto(Uint8Array.from([0x0a, 10, 1, 2]))).toThrow(EvoDBError);
    expect(() => readVarint(Uint8Array.from(new Array(11).fill(0xff)), 0)).toThrow(EvoDBError);
    for (let i = 0; i < 2000; i++) expectOnlyEvoDBErrors(() => {
      const m = parseProto(rng.bytes(rng.int(0, 64)));
      m.varints(1);
      m.messages(2).forEach((x) => x.string(1));
    });
  });
});

/** Packs 1024 values (already < 2^width) in the FastLanes layout of a T-bit type, as u8 LE words. */
function packBlock(values: bigint[], typeBits: number, width: number): Uint8Array {
  const lanes = BLOCK / typeBits;
  const out = new Uint8Array((BLOCK * width) / 8);
  for (let lane = 0; lane < lanes; lane++) {
    for (let row = 0; row < typeBits; row++) {
      const value = values[FL_ORDER[row >> 3]! * 16 + (row & 7) * 128 + lane]!;
      for (let b = 0; b < width; b++) {
        if (((value >> BigInt(b)) & 1n) === 0n) continue;
        const bit = row * width + b;
        const word = Math.floor(bit / typeBits);
        const inWord = bit % typeBits;
        const byte = (word * lanes + lane) * (typeBits / 8) + (inWord >> 3);
        out[byte]! |= 1 << (inWord & 7);
      }
    }
  }
  return out;
}

function le(value: bigint, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
}

describe("FastLanes bit-unpacking", () => {
  const cases: [8 | 16 | 32 | 64, number][] = [];
  for (const t of [8, 16, 32, 64] as const) for (const count of [0, 1, 1000, 1024, 1025, 2500]) cases.push([t, count]);
  it.each(cases)("inline: %i-bit values, %i of them, random widths", (typeBits, count) => {
    const rng = new Random(typeBits * 10_000 + count);
    const values: bigint[] = [];
    const buffer: number[] = [];
    for (let start = 0; start < count; start += BLOCK) {
      const width = rng.int(0, typeBits);
      const block = Array.from({ length: BLOCK }, (_, i) => (start + i < count && width > 0 ? (BigInt(rng.nextUint32()) << 32n | BigInt(rng.nextUint32())) & ((1n << BigInt(width)) - 1n) : 0n));
      values.push(...block.slice(0, Math.min(BLOCK, count - start)));
      buffer.push(...le(BigInt(width), typeBits / 8), ...packBlock(block, typeBits, width));
    }
    const out = unpackInline(Uint8Array.from(buffer), typeBits, count);
    const expected = Uint8Array.from(values.flatMap((v) => le(v, typeBits / 8)));
    expect(out).toEqual(expected);
  });

  it.each([[8 as const], [16 as const], [64 as const]])("out-of-line: %i-bit values with a packed or raw tail", (typeBits) => {
    const rng = new Random(typeBits);
    const width = Math.min(3, typeBits);
    for (const count of [1024, 1500, 2048 + 7]) {
      const values = Array.from({ length: count }, () => BigInt(rng.int(0, 2 ** width - 1)));
      const whole = Math.floor(count / BLOCK);
      const parts: number[] = [];
      for (let b = 0; b < whole; b++) parts.push(...packBlock(values.slice(b * BLOCK, (b + 1) * BLOCK), typeBits, width));
      const tail = values.slice(whole * BLOCK);
      const raw = [...parts, ...tail.flatMap((v) => le(v, typeBits / 8))];
      const padded = [...parts, ...(tail.length ? packBlock([...tail, ...new Array(BLOCK - tail.length).fill(0n)], typeBits, width) : [])];
      const expected = Uint8Array.from(values.flatMap((v) => le(v, typeBits / 8)));
      expect(unpackOutOfLine(Uint8Array.from(raw), typeBits, width, count)).toEqual(expected);
      expect(unpackOutOfLine(Uint8Array.from(padded), typeBits, width, count)).toEqual(expected);
    }
  });

  it("refuses truncated blocks and widths beyond the type", () => {
    expect(() => unpackInline(Uint8Array.from([9, ...new Array(100).fill(0)]), 8, 1024)).toThrow(EvoDBError);
    expect(() => unpackInline(Uint8Array.from([3, 0]), 16, 1024)).toThrow(EvoDBError);
    const rng = new Random(3);
    for (let i = 0; i < 300; i++) expectOnlyEvoDBErrors(() => unpackInline(rng.bytes(rng.int(0, 600)), rng.pick([8, 16, 32, 64] as const), rng.int(0, 3000)));
  });
});

/** A small greedy LZ4 block compressor (4-byte hash, last 5 bytes literal, as the spec requires). */
function lz4Compress(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  const table = new Map<number, number>();
  let anchor = 0;
  let i = 0;
  const length = (n: number) => {
    for (; n >= 255; n -= 255) out.push(255);
    out.push(n);
  };
  const emit = (literalEnd: number, offset: number, match: number) => {
    const lit = literalEnd - anchor;
    out.push((Math.min(lit, 15) << 4) | (match === 0 ? 0 : Math.min(match - 4, 15)));
    if (lit >= 15) length(lit - 15);
    for (let k = anchor; k < literalEnd; k++) out.push(src[k]!);
    if (match === 0) return;
    out.push(offset & 0xff, offset >> 8);
    if (match - 4 >= 15) length(match - 4 - 15);
  };
  while (i + 12 <= src.length) {
    const key = src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
    const cand = table.get(key);
    table.set(key, i);
    if (cand !== undefined && i - cand < 65536) {
      let match = 4;
      while (i + match < src.length - 5 && src[cand + match] === src[i + match]) match++;
      emit(i, i - cand, match);
      i += match;
      anchor = i;
    } else i++;
  }
  emit(src.length, 0, 0);
  return Uint8Array.from(out);
}

describe("LZ4 block decompression", () => {
  it("round-trips random, repetitive, empty and 1 MB inputs", () => {
    const rng = new Random(4);
    const inputs = [new Uint8Array(0), Uint8Array.from([7]), new Uint8Array(1 << 20).fill(97)];
    for (let i = 0; i < 50; i++) {
      const words = Array.from({ length: 8 }, () => rng.bytes(rng.int(1, 12)));
      const parts: number[] = [];
      while (parts.length < rng.int(0, 5000)) parts.push(...(rng.chance(0.8) ? rng.pick(words) : rng.bytes(3)));
      inputs.push(Uint8Array.from(parts));
    }
    for (const input of inputs) {
      const packed = lz4Compress(input);
      // Buffer.equals: vitest's deep equality is slow on a 1 MB array.
      expect(Buffer.from(lz4DecompressBlock(packed, input.length)).equals(input)).toBe(true);
      const prefixed = Uint8Array.from([...le(BigInt(input.length), 4), ...packed]);
      expect(Buffer.from(lz4DecompressPrefixed(prefixed)).equals(input)).toBe(true);
    }
  });

  it("gives CORRUPT_LANCE on bad offsets, wrong sizes and random bytes", () => {
    expect(() => lz4DecompressBlock(Uint8Array.from([0x04, 1, 0, 0, 0]), 10)).toThrow(EvoDBError);
    expect(() => lz4DecompressPrefixed(Uint8Array.from([255, 255, 255, 127, 0]))).toThrow(EvoDBError);
    const rng = new Random(5);
    for (let i = 0; i < 2000; i++) expectOnlyEvoDBErrors(() => lz4DecompressBlock(rng.bytes(rng.int(0, 200)), rng.int(0, 2000)));
  });
});

describe("FSST decompression", () => {
  function table(symbols: Uint8Array[], enabled = true): Uint8Array {
    const out = new Uint8Array(8 + symbols.length * 9);
    const view = new DataView(out.buffer);
    view.setUint32(0, (enabled ? 1 << 24 : 0) | symbols.length, true);
    view.setUint32(4, 0x46535354, true);
    symbols.forEach((s, i) => {
      out.set(s, 8 + i * 8);
      out[8 + symbols.length * 8 + i] = s.length;
    });
    return out;
  }
  function encode(symbols: Uint8Array[], value: Uint8Array): number[] {
    const out: number[] = [];
    for (let p = 0; p < value.length; ) {
      let best = -1;
      symbols.forEach((s, code) => {
        if (s.length > (best < 0 ? 0 : symbols[best]!.length) && s.every((b, k) => value[p + k] === b)) best = code;
      });
      if (best < 0) out.push(255, value[p++]!);
      else {
        out.push(best);
        p += symbols[best]!.length;
      }
    }
    return out;
  }

  it("round-trips random strings through random symbol tables (escapes included)", () => {
    const rng = new Random(6);
    for (let t = 0; t < 20; t++) {
      const symbols = Array.from({ length: rng.int(1, 254) }, () => rng.bytes(rng.int(1, 8)).map((b) => 97 + (b % 4)));
      const values = Array.from({ length: rng.int(0, 200) }, () => rng.bytes(rng.int(0, 40)).map((b) => (rng.chance(0.9) ? 97 + (b % 4) : b)));
      const coded = values.map((v) => encode(symbols, v));
      const offsets = new Uint32Array(values.length + 1);
      coded.forEach((c, i) => (offsets[i + 1] = offsets[i]! + c.length));
      const out = fsstDecompress(parseFsstTable(table(symbols)), offsets, Uint8Array.from(coded.flat()));
      values.forEach((v, i) => expect(out.bytes.subarray(out.offsets[i], out.offsets[i + 1])).toEqual(v));
    }
  });

  it("passes data through when the encoder was off, and refuses bad tables and codes", () => {
    const raw = Uint8Array.from([1, 2, 3]);
    const out = fsstDecompress(parseFsstTable(table([Uint8Array.from([9])], false)), Uint32Array.from([0, 3]), raw);
    expect(out.bytes).toEqual(raw);
    expect(() => parseFsstTable(new Uint8Array(16))).toThrow(EvoDBError);
    expect(() => fsstDecompress(parseFsstTable(table([Uint8Array.from([9])])), Uint32Array.from([0, 1]), Uint8Array.from([5]))).toThrow(EvoDBError);
    expect(() => fsstDecompress(parseFsstTable(table([Uint8Array.from([9])])), Uint32Array.from([0, 1]), Uint8Array.from([255]))).toThrow(EvoDBError);
  });
});

describe("roaring bitmaps", () => {
  function serialize(values: number[], runs: boolean): Uint8Array {
    const containers = new Map<number, number[]>();
    for (const v of [...new Set(values)].sort((a, b) => a - b)) {
      const key = Math.floor(v / 65536);
      if (!containers.has(key)) containers.set(key, []);
      containers.get(key)!.push(v % 65536);
    }
    const keys = [...containers.keys()];
    const out: number[] = [];
    const u16 = (x: number) => out.push(x & 0xff, x >> 8);
    const u32 = (x: number) => out.push(...le(BigInt(x), 4));
    if (runs) {
      u32(12347 | ((keys.length - 1) << 16));
      out.push(...new Array(Math.ceil(keys.length / 8)).fill(0xff));
    } else {
      u32(12346);
      u32(keys.length);
    }
    for (const k of keys) {
      u16(k);
      u16(containers.get(k)!.length - 1);
    }
    if (!runs || keys.length >= 4) for (let i = 0; i < keys.length; i++) u32(0);
    for (const k of keys) {
      const c = containers.get(k)!;
      if (runs) {
        const rs: [number, number][] = [];
        for (const x of c) {
          const last = rs[rs.length - 1];
          if (last && last[0] + last[1] + 1 === x) last[1]++;
          else rs.push([x, 0]);
        }
        u16(rs.length);
        for (const [s, l] of rs) (u16(s), u16(l));
      } else if (c.length <= 4096) c.forEach(u16);
      else {
        const bits = new Array(8192).fill(0);
        for (const x of c) bits[x >> 3] |= 1 << (x & 7);
        out.push(...bits);
      }
    }
    return Uint8Array.from(out);
  }

  it("round-trips array, bitmap and run containers, including more than 65,536 values", () => {
    const rng = new Random(7);
    const sets = [[], [0], [65535, 65536, 3 * 65536 + 9], Array.from({ length: 70_000 }, (_, i) => i * 2), Array.from({ length: 5000 }, () => rng.int(0, 200_000))];
    for (const values of sets) {
      const expected = [...new Set(values)].sort((a, b) => a - b);
      for (const runs of [false, true]) {
        if (values.length === 0) continue;
        expect(Array.from(readRoaring(serialize(values, runs), 2 ** 32))).toEqual(expected);
      }
    }
    expect(readRoaring(new Uint8Array(0), 10).length).toBe(0);
  });

  it("refuses values beyond the allowed range and random bytes", () => {
    expect(() => readRoaring(serialize([5 * 65536], false), 1000)).toThrow(EvoDBError);
    const rng = new Random(8);
    for (let i = 0; i < 2000; i++) expectOnlyEvoDBErrors(() => readRoaring(Uint8Array.from([...le(BigInt(rng.pick([12346, 12347 | (rng.int(0, 3) << 16)])), 4), ...rng.bytes(rng.int(0, 100))]), 1_000_000));
  });
});
