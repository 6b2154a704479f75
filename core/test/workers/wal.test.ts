import { jsonDifference, Random, randomDocuments } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { decodeWalBatch, encodeWalBatch, isEvoDBError, type WalEntry } from "../../src/index";

// The WAL codec runs in Durable Objects: check it inside workerd too (strict TextDecoder, DataView).
describe("WAL codec inside workerd", () => {
  it("round-trips a seeded batch and refuses a flipped bit", () => {
    const random = new Random(9);
    const entries = randomDocuments(9, 200).map((document, i): WalEntry => ({
      table: random.pick(["users", "表"]),
      primaryKey: random.chance(0.5) ? `k${i}` : [i, 2n ** 60n + BigInt(i)],
      lsn: 10 + i,
      op: i % 3 === 2 ? "delete" : i % 3 === 1 ? "update" : "insert",
      ...(i % 3 === 2 ? {} : { document }),
      time: 1_767_225_600_000 + i,
    }));
    const bytes = encodeWalBatch(entries);
    const decoded = decodeWalBatch(bytes);
    for (let i = 0; i < entries.length; i++) expect(jsonDifference({ ...decoded[i] }, { ...entries[i] }), `entry ${i}`).toBeUndefined();
    const corrupted = bytes.slice();
    corrupted[random.int(0, corrupted.length - 1)]! ^= 1 << random.int(0, 7);
    let caught: unknown;
    try {
      decodeWalBatch(corrupted);
    } catch (error) {
      caught = error;
    }
    expect(isEvoDBError(caught, "CORRUPT_WAL") || isEvoDBError(caught, "UNSUPPORTED_VERSION"), String(caught)).toBe(true);
  });
});
