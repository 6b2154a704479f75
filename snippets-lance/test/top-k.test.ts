import { Random } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { TopK } from "../src/top-k";

describe("TopK", () => {
  it("keeps the smallest (distance, payload) pairs whatever order they are offered in, ties included (seeded)", () => {
    const random = new Random(99);
    for (let trial = 0; trial < 200; trial++) {
      const capacity = random.int(0, 12);
      const count = random.int(0, 60);
      // Few distinct distances, so ties at the k-th place are the common case.
      const pairs = Array.from({ length: count }, (_, i) => [random.int(0, 5), i] as const);
      const expected = [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, capacity);
      for (let i = pairs.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
      }
      const heap = new TopK(capacity);
      for (const [distance, payload] of pairs) heap.push(distance, payload);
      const { distances, payloads } = heap.sorted();
      expect(Array.from(distances)).toEqual(expected.map((e) => e[0]));
      expect(Array.from(payloads)).toEqual(expected.map((e) => e[1]));
    }
  });
});
