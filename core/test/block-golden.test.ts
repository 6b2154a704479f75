import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseBlockFooter, readBlock, writeBlock } from "../src/index";
import { compressibleBatch, fixedBatch, sameBatch } from "./block-batches";

/**
 * Golden bytes pin format v1 (docs/format.md, "Stability"): today's writer must produce exactly the
 * committed files, and the reader must decode them. If a change breaks this, it is a new format
 * version, not a fixture update.
 */
function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

describe("golden .evodb v1 fixtures", () => {
  for (const [name, batch] of [
    ["block-v1-fixed.evodb", fixedBatch],
    ["block-v1-compressed.evodb", compressibleBatch],
  ] as const) {
    it(`${name}: the writer reproduces the committed bytes`, () => {
      const expected = fixture(name);
      const actual = writeBlock(batch());
      expect(actual.length).toBe(expected.length);
      expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
    });

    it(`${name}: the reader decodes the committed bytes to the batch`, () => {
      expect(sameBatch(readBlock(fixture(name)), batch())).toBe(null);
    });
  }

  it("the fixtures cover compressed and uncompressed chunks", () => {
    const compressions = ["block-v1-fixed.evodb", "block-v1-compressed.evodb"].flatMap((name) => {
      const bytes = fixture(name);
      return parseBlockFooter(bytes, bytes.length).columns.map((c) => c.chunk.compression);
    });
    expect(new Set(compressions)).toEqual(new Set(["none", "deflate"]));
  });
});
