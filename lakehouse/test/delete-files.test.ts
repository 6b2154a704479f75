import { crc32c } from "@evodb/core";
import { Random, evodbErrorCode } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { decodeDeleteVector, decodeEqualityDeletes, encodeDeleteVector, encodeEqualityDeletes } from "../src/index";

const codeOf = evodbErrorCode;

/** The reference semantics: a delete vector is the sorted set of its positions. */
function sortedUnique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

describe("delete vector", () => {
  it("has the documented layout (golden bytes)", () => {
    const bytes = encodeDeleteVector([1000, 1, 5, 5]);
    const body = [0x45, 0x56, 0x44, 0x56, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0xe8, 0x03, 0, 0];
    const crc = crc32c(new Uint8Array(body));
    expect([...bytes]).toEqual([...body, crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24]);
  });

  it.each<[string, number[]]>([
    ["empty", []],
    ["one value", [7]],
    ["zero and the largest u32", [0, 0xffffffff]],
    ["duplicates and disorder", [9, 3, 9, 1, 3]],
    ["more than 65,536 distinct", Array.from({ length: 70_000 }, (_, i) => i * 3)],
  ])("round-trips %s", (_name, positions) => {
    expect([...decodeDeleteVector(encodeDeleteVector(positions))]).toEqual(sortedUnique(positions));
  });

  it("round-trips random vectors (seeded)", () => {
    const random = new Random(77);
    for (let round = 0; round < 200; round++) {
      const positions = Array.from({ length: random.int(0, 500) }, () => random.int(0, round % 2 === 0 ? 1000 : 0xffffffff));
      expect([...decodeDeleteVector(encodeDeleteVector(positions))]).toEqual(sortedUnique(positions));
    }
  });

  it("refuses positions outside u32", () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(codeOf(() => encodeDeleteVector([bad]))).toBe("INVALID_ARGUMENT");
  });

  it("detects every truncation and every single-byte change", () => {
    const bytes = encodeDeleteVector([1, 2, 3, 400, 50_000]);
    for (let n = 0; n < bytes.length; n++) expect(codeOf(() => decodeDeleteVector(bytes.subarray(0, n)))).toBe("CORRUPT_METADATA");
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const copy = bytes.slice();
        copy[i] = copy[i]! ^ flip;
        expect(["CORRUPT_METADATA", "UNSUPPORTED_VERSION"]).toContain(codeOf(() => decodeDeleteVector(copy)));
      }
    }
  });

  it("refuses an unknown version and unsorted positions even with a valid checksum", () => {
    const future = encodeDeleteVector([1]);
    future[4] = 2;
    expect(codeOf(() => decodeDeleteVector(future))).toBe("UNSUPPORTED_VERSION");
    const unsorted = encodeDeleteVector([1, 2]);
    unsorted[12] = 9;
    new DataView(unsorted.buffer).setUint32(20, crc32c(unsorted, 0, 20), true);
    expect(codeOf(() => decodeDeleteVector(unsorted))).toBe("CORRUPT_METADATA");
  });

  it("never crashes on random bytes (seeded)", () => {
    const random = new Random(5150);
    for (let round = 0; round < 3000; round++) {
      const bytes = random.bytes(random.int(0, 64));
      if (round % 3 === 0 && bytes.length >= 4) bytes.set([0x45, 0x56, 0x44, 0x56], 0);
      expect(["CORRUPT_METADATA", "UNSUPPORTED_VERSION"]).toContain(codeOf(() => decodeDeleteVector(bytes)));
    }
  });

  it("reads a vector at an offset inside a larger buffer", () => {
    const inner = encodeDeleteVector([3, 4]);
    const outer = new Uint8Array(inner.length + 7);
    outer.set(inner, 3);
    expect([...decodeDeleteVector(outer.subarray(3, 3 + inner.length))]).toEqual([3, 4]);
  });
});

describe("equality deletes", () => {
  it("round-trips string and number keys, including 2^53-1 and unicode", () => {
    const entries = [
      { key: "a", lsn: 1 },
      { key: Number.MAX_SAFE_INTEGER, lsn: Number.MAX_SAFE_INTEGER },
      { key: "é\u{1F600}", lsn: 0 },
      { key: -0.5, lsn: 3 },
      { key: "x".repeat(1 << 20), lsn: 9 },
    ];
    expect(decodeEqualityDeletes(encodeEqualityDeletes(["id"], entries))).toEqual({ keyPath: ["id"], entries });
    expect(decodeEqualityDeletes(encodeEqualityDeletes(["a", "b"], []))).toEqual({ keyPath: ["a", "b"], entries: [] });
  });

  it("has the documented JSON shape (golden text)", () => {
    expect(encodeEqualityDeletes(["id"], [{ key: "k1", lsn: 5 }, { key: 2, lsn: 6 }])).toBe(
      '{"format":"evodb-equality-deletes","formatVersion":1,"keyPath":["id"],"entries":[["k1",5],[2,6]]}',
    );
  });

  it("refuses bad entries when encoding", () => {
    expect(codeOf(() => encodeEqualityDeletes(["id"], [{ key: Number.NaN, lsn: 1 }]))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => encodeEqualityDeletes(["id"], [{ key: "a", lsn: -1 }]))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => encodeEqualityDeletes(["id"], [{ key: null as unknown as string, lsn: 1 }]))).toBe("INVALID_ARGUMENT");
  });

  it("refuses corrupt files and unknown versions", () => {
    const good = encodeEqualityDeletes(["id"], [{ key: "k", lsn: 5 }]);
    expect(codeOf(() => decodeEqualityDeletes(good.replace('"formatVersion":1', '"formatVersion":2')))).toBe("UNSUPPORTED_VERSION");
    for (const text of ["", "[]", '{"format":"x","formatVersion":1}', good.replace('["k",5]', '["k"]'), good.replace('["k",5]', '[{},5]'), good.replace('["k",5]', '["k",-5]')]) {
      expect(codeOf(() => decodeEqualityDeletes(text))).toBe("CORRUPT_METADATA");
    }
    for (let n = 0; n < good.length; n++) expect(codeOf(() => decodeEqualityDeletes(good.slice(0, n)))).toBe("CORRUPT_METADATA");
  });
});
