import { createHash } from "node:crypto";
import { Random } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { md5Hex } from "../src/md5";

describe("md5Hex (object-store etags)", () => {
  it("matches node:crypto at every padding boundary and on random data", () => {
    const random = new Random(5);
    const lengths = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 65_537];
    for (const length of lengths) {
      const bytes = random.bytes(length);
      expect(md5Hex(bytes), `length ${length}`).toBe(createHash("md5").update(bytes).digest("hex"));
    }
  });

  it("gives R2's etag for a known content (measured in workerd: put 'x')", () => {
    expect(md5Hex(new TextEncoder().encode("x"))).toBe("9dd4e461268c8034f5c8564e155c67a6");
  });
});
