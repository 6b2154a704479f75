import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EvoDBError, bloomMightContain, parseBlockFooter, readBlock, readBlockBloomFilter, writeBlock } from "../src/index";
import { compressibleBatch, fixedBatch, sameBatch } from "./block-batches";

/**
 * Golden bytes pin format v2 (docs/format.md, "Stability"): today's writer must produce exactly the
 * committed files, and the reader must decode them. If a change breaks this, it is a new format
 * version, not a fixture update. The v1 files are kept to prove version 1 is refused clearly.
 */
function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

function errorOf(run: () => unknown): EvoDBError {
  try {
    run();
  } catch (e) {
    if (e instanceof EvoDBError) return e;
    throw e;
  }
  throw new Error("expected an EvoDBError");
}

describe("golden .evodb v2 fixtures", () => {
  for (const [name, batch] of [
    ["block-v2-fixed.evodb", fixedBatch],
    ["block-v2-compressed.evodb", compressibleBatch],
  ] as const) {
    it(`${name}: the writer reproduces the committed bytes`, () => {
      const expected = fixture(name);
      const actual = writeBlock(batch());
      expect(actual.length).toBe(expected.length);
      expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
    });

    it(`${name}: the reader decodes the committed bytes to the batch, and its filters hold every value`, () => {
      const bytes = fixture(name);
      expect(sameBatch(readBlock(bytes), batch())).toBe(null);
      const footer = parseBlockFooter(bytes, bytes.length);
      let probed = 0;
      batch().columns.forEach((column, i) => {
        const filter = readBlockBloomFilter(bytes, footer, i);
        if (filter === null || (column.type !== "string" && column.type !== "int")) return;
        for (let row = 0; row < column.tags.length; row++) {
          if (column.tags[row] !== 2) continue;
          expect(bloomMightContain(footer, i, column.values[row]!, filter)).toBe(true);
          probed++;
        }
      });
      expect(probed).toBeGreaterThan(0);
    });
  }

  it("the fixtures cover compressed and uncompressed chunks", () => {
    const compressions = ["block-v2-fixed.evodb", "block-v2-compressed.evodb"].flatMap((name) => {
      const bytes = fixture(name);
      return parseBlockFooter(bytes, bytes.length).columns.map((c) => c.chunk.compression);
    });
    expect(new Set(compressions)).toEqual(new Set(["none", "deflate"]));
  });

  it("version 1 blocks (bloom filters inside the footer) are refused with UNSUPPORTED_VERSION", () => {
    for (const name of ["block-v1-fixed.evodb", "block-v1-compressed.evodb"]) {
      const bytes = fixture(name);
      for (const run of [() => readBlock(bytes), () => parseBlockFooter(bytes, bytes.length)]) {
        const error = errorOf(run);
        expect(error.code).toBe("UNSUPPORTED_VERSION");
        expect(error.details).toEqual({ version: 1, supported: [2] });
        expect(error.message).toMatch(/version 1.*Rewrite/);
      }
    }
  });
});
