import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Random } from "@evodb/test-utils";
import { bitWidth, packBits, packedWordCount, unpackBits, unpackBitsGeneric } from "../src/encoding/bitpack";
import { bitpackKernelsSource } from "../scripts/bitpack-kernels-source";

// Generous timeout: the test machine is shared, and timings are never asserted.
const SLOW = 60_000;

describe("bit-packing", () => {
  it("the committed kernels file is exactly what the generator produces", () => {
    const committed = readFileSync(new URL("../src/encoding/bitpack-kernels.generated.ts", import.meta.url), "utf8");
    expect(committed).toBe(bitpackKernelsSource());
  }, SLOW);

  it("bitWidth covers 0..2^32-1", () => {
    expect([0, 1, 2, 3, 255, 256, 2 ** 31, 2 ** 32 - 1].map(bitWidth)).toEqual([0, 1, 2, 2, 8, 9, 32, 32]);
  }, SLOW);

  it("round-trips every width 0..32 and awkward counts, kernels agreeing with the generic loop", () => {
    const rnd = new Random(11);
    for (let width = 0; width <= 32; width++) {
      for (const count of [0, 1, 31, 32, 33, 64, 95, 1000]) {
        const base = rnd.int(-1000, 1000) * 2 ** 20;
        const values = new Float64Array(count);
        for (let i = 0; i < count; i++) values[i] = base + (width === 0 ? 0 : rnd.nextUint32() % 2 ** width);
        // Force the top value so the full width is exercised.
        if (count > 0 && width > 0) values[count - 1] = base + 2 ** width - 1;
        const words = packBits(values, 0, count, base, width);
        expect(words.length).toBe(packedWordCount(count, width));
        const fast = new Float64Array(count + 2).fill(-7);
        unpackBits(words, 0, count, width, base, fast, 1);
        const slow = new Float64Array(count);
        unpackBitsGeneric(words, 0, count, width, base, slow, 0);
        expect(fast.subarray(1, count + 1)).toEqual(values);
        expect(slow).toEqual(values);
        // Neighbouring slots of the output are never written.
        expect(fast[0]).toBe(-7);
        expect(fast[count + 1]).toBe(-7);
      }
    }
  }, SLOW);

  it("keeps the full 2^53 range via the frame of reference", () => {
    const base = -(2 ** 53 - 1);
    const values = Float64Array.from([base, base + 2 ** 32 - 1, base + 5]);
    const words = packBits(values, 0, 3, base, 32);
    const out = new Float64Array(3);
    unpackBits(words, 0, 3, 32, base, out, 0);
    expect(out).toEqual(values);
  }, SLOW);
});
