import { describe, expect, it } from "vitest";
import { Random } from "@evodb/test-utils";
import { crc32c } from "../src/checksum";
import { writeTrailer, type BlockColumn } from "../src/block/footer";
import { BLOCK_TRAILER_SIZE, EvoDBError, bloomMightContain, decodeColumnChunk, parseBlockFooter, readBlock, readBlockBloomFilter, writeBlock, type ShreddedBatch } from "../src/index";
import { compressibleBatch, fixedBatch, randomBatch, sameBatch, withFooter } from "./block-batches";

const SLOW = 120_000;

function mutate(rnd: Random, original: Uint8Array): Uint8Array {
  const b = original.slice();
  switch (rnd.int(0, 5)) {
    case 0: {
      for (let k = rnd.int(1, 3); k > 0; k--) {
        const i = rnd.int(0, b.length - 1);
        b[i] = b[i]! ^ (1 << rnd.int(0, 7));
      }
      return b;
    }
    case 1:
      return b.slice(0, rnd.int(0, b.length - 1));
    case 2: {
      // Splice: a random range of the block copied over another place.
      const len = rnd.int(1, 64);
      const from = rnd.int(0, Math.max(0, b.length - len));
      const to = rnd.int(0, Math.max(0, b.length - len));
      b.copyWithin(to, from, from + len);
      return b;
    }
    case 3: {
      const start = rnd.int(0, b.length - 1);
      const noise = rnd.bytes(rnd.int(1, 32));
      const out = new Uint8Array(b.length + noise.length);
      out.set(b.subarray(0, start));
      out.set(noise, start);
      out.set(b.subarray(start), start + noise.length);
      return out;
    }
    case 4: {
      const start = rnd.int(0, b.length - 1);
      b.set(rnd.bytes(Math.min(b.length - start, rnd.int(1, 16))), start);
      return b;
    }
    default:
      return rnd.bytes(rnd.int(0, 200));
  }
}

/** A decoded block: its batch and the bits of each column's bloom filter (null without one). */
interface Decoded {
  batch: ShreddedBatch;
  blooms: (Uint8Array | null)[];
}

/**
 * Decodes the data and every bloom filter, probing each filter once. Only EvoDBError with a block
 * code is an acceptable failure; anything else fails the test.
 */
function attempt(bytes: Uint8Array, withCodes = false): Decoded | null {
  try {
    const batch = readBlock(bytes);
    const footer = parseBlockFooter(bytes, bytes.length);
    if (withCodes) {
      // The dictionary-codes decode path must fail the same way, and its lazy values must build.
      footer.columns.forEach((c, i) => {
        const column = decodeColumnChunk(footer, i, bytes.subarray(c.chunk.offset, c.chunk.offset + c.chunk.length), { keepStringCodes: true });
        if (column.type === "string") void column.values.length;
      });
    }
    const blooms = footer.columns.map((column, i) => {
      const filter = readBlockBloomFilter(bytes, footer, i);
      if (filter !== null) bloomMightContain(footer, i, column.type === "int" ? 7 : "probe", filter);
      return filter === null ? null : filter.bits;
    });
    return { batch, blooms };
  } catch (e) {
    if (!(e instanceof EvoDBError) || (e.code !== "CORRUPT_BLOCK" && e.code !== "UNSUPPORTED_VERSION")) throw e;
    return null;
  }
}

function sameBlooms(a: (Uint8Array | null)[], b: (Uint8Array | null)[]): boolean {
  return a.length === b.length && a.every((bits, i) => (bits === null ? b[i] === null : b[i] !== null && Buffer.from(bits).equals(Buffer.from(b[i]!))));
}

/**
 * Mutates a chunk or the footer and recomputes the checksums, as a hostile writer could: the result
 * may then legitimately decode to other data, but must still never throw anything but EvoDBError.
 */
function mutateAndReseal(rnd: Random, original: Uint8Array): Uint8Array {
  const footer = parseBlockFooter(original, original.length);
  const b = original.slice();
  const withBloom = footer.columns.map((c, i) => (c.bloom === null ? -1 : i)).filter((i) => i >= 0);
  if (withBloom.length > 0 && rnd.chance(0.2)) {
    const i = rnd.pick(withBloom);
    const loc = footer.columns[i]!.bloom!;
    for (let k = rnd.int(1, 3); k > 0; k--) {
      const at = loc.offset + rnd.int(0, loc.length - 1);
      b[at] = b[at]! ^ (1 << rnd.int(0, 7));
    }
    const columns: BlockColumn[] = footer.columns.map((col, j) =>
      j === i ? { ...col, bloom: { ...loc, ...(rnd.chance(0.5) ? { hashCount: rnd.int(0, 20) } : {}), crc32c: crc32c(b, loc.offset, loc.offset + loc.length) } } : col,
    );
    return withFooter(b, footer, columns);
  }
  if (footer.columns.length > 0 && rnd.chance(0.7)) {
    const i = rnd.int(0, footer.columns.length - 1);
    const c = footer.columns[i]!;
    if (c.chunk.length === 0) return b;
    for (let k = rnd.int(1, 3); k > 0; k--) {
      const at = c.chunk.offset + rnd.int(0, c.chunk.length - 1);
      b[at] = rnd.chance(0.5) ? b[at]! ^ (1 << rnd.int(0, 7)) : rnd.nextUint32() & 0xff;
    }
    const columns: BlockColumn[] = footer.columns.map((col, j) =>
      j === i ? { ...col, chunk: { ...col.chunk, crc32c: crc32c(b, col.chunk.offset, col.chunk.offset + col.chunk.length) } } : col,
    );
    return withFooter(b, footer, columns);
  }
  const footerBytes = b.slice(footer.footerOffset, b.length - BLOCK_TRAILER_SIZE);
  if (footerBytes.length === 0) return b;
  for (let k = rnd.int(1, 3); k > 0; k--) {
    const at = rnd.int(0, footerBytes.length - 1);
    footerBytes[at] = rnd.chance(0.5) ? footerBytes[at]! ^ (1 << rnd.int(0, 7)) : rnd.nextUint32() & 0xff;
  }
  const out = new Uint8Array(b.length);
  out.set(b.subarray(0, footer.footerOffset));
  out.set(footerBytes, footer.footerOffset);
  out.set(writeTrailer(footerBytes), b.length - BLOCK_TRAILER_SIZE);
  return out;
}

describe("block fuzzing", () => {
  const seeds = new Random(424242);
  const bases: { batch: ShreddedBatch; bytes: Uint8Array; blooms: (Uint8Array | null)[] }[] = [fixedBatch(), compressibleBatch(), randomBatch(seeds, 120, 6), randomBatch(seeds, 40, 3)].map(
    (batch) => {
      const bytes = writeBlock(batch);
      return { batch, bytes, blooms: attempt(bytes)!.blooms };
    },
  );

  it("10,000 mutated blocks: each is a CORRUPT_BLOCK/UNSUPPORTED_VERSION error or the exact original (data and bloom filters)", () => {
    const rnd = new Random(777);
    let decoded = 0;
    for (let n = 0; n < 10_000; n++) {
      const base = bases[n % bases.length]!;
      const result = attempt(mutate(rnd, base.bytes));
      if (result) {
        decoded++;
        // Checksums leave no room for a wrong answer: whatever decodes is the original batch and filters.
        const diff = sameBatch(result.batch, base.batch);
        if (diff !== null) expect.fail(`mutation ${n} decoded to different data: ${diff}`);
        if (!sameBlooms(result.blooms, base.blooms)) expect.fail(`mutation ${n} decoded to different bloom filters`);
      }
    }
    // Mutations of zero padding still decode; most mutations must be caught.
    expect(decoded).toBeLessThan(1000);
  }, SLOW);

  it("3,000 mutated blocks (chunks, footers, bloom filters) with recomputed checksums never throw anything but EvoDBError", () => {
    const rnd = new Random(999);
    for (let n = 0; n < 3000; n++) attempt(mutateAndReseal(rnd, bases[n % bases.length]!.bytes), true);
  }, SLOW);
});
