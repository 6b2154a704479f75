import { describe, expect, it } from "vitest";
import { Random } from "@evodb/test-utils";
import { crc32c } from "../src/index";

/** Bit-at-a-time reference, straight from the definition of CRC-32C (reflected 0x1EDC6F41). */
function crc32cReference(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("crc32c", () => {
  it("matches the published check value for '123456789' (RFC 3720 / iSCSI)", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
  });
  it("is 0 for empty input", () => expect(crc32c(new Uint8Array(0))).toBe(0));
  it("agrees with the bit-at-a-time definition on random lengths and sub-ranges", () => {
    const rnd = new Random(7);
    for (let i = 0; i < 200; i++) {
      const bytes = rnd.bytes(rnd.int(0, 300));
      expect(crc32c(bytes)).toBe(crc32cReference(bytes));
      const start = rnd.int(0, bytes.length);
      const end = rnd.int(start, bytes.length);
      expect(crc32c(bytes, start, end)).toBe(crc32cReference(bytes.subarray(start, end)));
    }
  });
});
