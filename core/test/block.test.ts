import { describe, expect, it } from "vitest";
import { Random } from "@evodb/test-utils";
import {
  BLOCK_TRAILER_SIZE,
  DEFAULT_FOOTER_READ_SIZE,
  EvoDBError,
  Tag,
  bloomMightContain,
  columnStats,
  decodeBloomFilter,
  decodeColumnChunk,
  isEvoDBError,
  openBlock,
  parseBlockFooter,
  readBlockBloomFilter,
  readBlock,
  readBlockTrailer,
  reassemble,
  shred,
  writeBlock,
  type JsonValue,
  type ShreddedBatch,
} from "../src/index";
import { compressibleBatch, countingStore, fixedBatch, floatColumn, intColumn, noneColumn, randomBatch, sameBatch, stringColumn, withFooter } from "./block-batches";

function roundTrip(batch: ShreddedBatch, options?: Parameters<typeof writeBlock>[1]): Uint8Array {
  const bytes = writeBlock(batch, options);
  expect(sameBatch(readBlock(bytes), batch)).toBe(null);
  return bytes;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof EvoDBError) return e.code;
    throw e;
  }
  return undefined;
}

// Heavy cases get a long timeout: the test machine is shared, and timings are never asserted.
const SLOW = 60_000;

describe("block round trips", () => {
  it("a hand-built batch with every type, tag, variant and overflow", () => {
    roundTrip(fixedBatch());
    roundTrip(fixedBatch(), { compression: "none", bloomFilter: false });
  });

  it("the batch comparison used by these tests tells -0 from 0 and bigint from number", () => {
    const a = fixedBatch();
    const b = fixedBatch();
    expect(sameBatch(a, b)).toBe(null);
    (b.columns[3] as { values: Float64Array }).values[1] = 0;
    expect(sameBatch(a, b)).not.toBe(null);
    const c = fixedBatch();
    c.columns[2]!.variants![5] = 2 ** 70;
    expect(sameBatch(a, c)).not.toBe(null);
  });

  it("named edge cases", () => {
    roundTrip({ rowCount: 0, columns: [] });
    roundTrip({ rowCount: 3, columns: [] });
    roundTrip({ rowCount: 0, columns: [intColumn(["a"], [], []), stringColumn(["b"], [], [])] });
    const allNull = [Tag.Null, Tag.Null, Tag.Null];
    roundTrip({ rowCount: 3, columns: [intColumn(["a"], allNull, [0, 0, 0]), stringColumn(["s"], allNull, ["", "", ""]), noneColumn(["z"], allNull)] });
    roundTrip({ rowCount: 1, columns: [intColumn(["a"], [Tag.Value], [Number.MAX_SAFE_INTEGER])] });
    roundTrip({ rowCount: 2, columns: [intColumn(["a"], [Tag.Value, Tag.Value], [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER])] });
    const big = "€".repeat(1 << 20);
    roundTrip({ rowCount: 2, columns: [stringColumn(["big"], [Tag.Value, Tag.Value], [big, "x"])] });
    const n = 100_000;
    const distinct = Array.from({ length: n }, (_, i) => `k${(i * 7) % n}`);
    roundTrip({ rowCount: n, columns: [stringColumn(["k"], new Array<number>(n).fill(Tag.Value), distinct)] });
  }, SLOW);

  it("more than 65,536 distinct strings and ints, dictionary-encoded", () => {
    const repeated = Array.from({ length: 2 * 70_000 }, (_, i) => `v${i % 70_000}`);
    roundTrip({ rowCount: repeated.length, columns: [stringColumn(["k"], new Array<number>(repeated.length).fill(Tag.Value), repeated)] });
    const ids = Array.from({ length: 2 * 70_000 }, (_, i) => ((i % 70_000) * 2 ** 30) - 2 ** 52);
    roundTrip({ rowCount: ids.length, columns: [intColumn(["id"], new Array<number>(ids.length).fill(Tag.Value), ids)] });
    // Values at non-Value slots are 0 by contract; gaps must not shift the values around them.
    roundTrip({ rowCount: 5, columns: [floatColumn(["f"], [Tag.Null, Tag.Value, Tag.Missing, Tag.Value, Tag.Null], [0, -0, 0, 2.5, 0])] });
  }, SLOW);

  it("seeded random batches", () => {
    const rnd = new Random(20261125);
    for (let t = 0; t < 60; t++) roundTrip(randomBatch(rnd, rnd.int(0, 2000), rnd.int(0, 12)), { compression: rnd.chance(0.5) ? "auto" : "none" });
  }, SLOW);

  it("shred -> block -> reassemble returns the documents", () => {
    const rnd = new Random(5);
    const docs: JsonValue[] = Array.from({ length: 3000 }, (_, i) => ({
      id: i,
      ts: 1_700_000_000_000 + i * 997,
      user: { name: rnd.pick(["ann", "bob", "çé", "😀"]), score: rnd.chance(0.5) ? rnd.int(0, 100) : null },
      tags: rnd.chance(0.3) ? ["a", 1, { b: -0 }] : [],
      big: rnd.chance(0.1) ? 2n ** 64n + BigInt(i) : i,
      ...(rnd.chance(0.2) ? { extra: rnd.chance(0.5) ? "x" : 1.25 } : {}),
    }));
    const batch = shred(docs);
    const back = readBlock(writeBlock(batch));
    expect(reassemble(back)).toStrictEqual(docs);
  }, SLOW);
});

describe("footer, statistics and bloom filters", () => {
  it("decodes blocks that sit at an unaligned offset of their buffer (words are copied, not viewed)", () => {
    for (const batch of [fixedBatch(), randomBatch(new Random(12), 700, 6)]) {
      const bytes = writeBlock(batch, { compression: "none" });
      const shifted = new Uint8Array(bytes.length + 3);
      shifted.set(bytes, 3);
      expect(sameBatch(readBlock(shifted.subarray(3)), batch)).toBe(null);
    }
  }, SLOW);

  it("one suffix of footer+trailer is enough; a shorter one says how many bytes it needs", () => {
    const bytes = writeBlock(fixedBatch());
    const { footerLength } = readBlockTrailer(bytes.subarray(bytes.length - BLOCK_TRAILER_SIZE), bytes.length);
    const need = footerLength + BLOCK_TRAILER_SIZE;
    const footer = parseBlockFooter(bytes.slice(bytes.length - need), bytes.length);
    expect(footer.rowCount).toBe(6);
    expect(footer.columns.map((c) => c.path)).toEqual(fixedBatch().columns.map((c) => c.path));
    try {
      parseBlockFooter(bytes.slice(bytes.length - need + 1), bytes.length);
      expect.unreachable();
    } catch (e) {
      expect(isEvoDBError(e, "INVALID_ARGUMENT")).toBe(true);
      expect((e as EvoDBError).details).toEqual({ neededBytes: need });
    }
    // A range-read chunk decodes alone.
    const i = footer.columns.findIndex((c) => c.path.join() === "name");
    const { offset, length } = footer.columns[i]!.chunk;
    expect(decodeColumnChunk(footer, i, bytes.slice(offset, offset + length))).toStrictEqual(fixedBatch().columns[i]);
  });

  it("statistics match the data, are JSON-friendly, and string bounds stay bounds when shortened", () => {
    const long = "m".repeat(100);
    const batch: ShreddedBatch = {
      rowCount: 5,
      columns: [
        intColumn(["i"], [Tag.Value, Tag.Null, Tag.Value, Tag.Missing, Tag.Variant], [7, 0, -3, 0, 0], { variants: [undefined, undefined, undefined, undefined, "x"] }),
        stringColumn(["s"], [Tag.Value, Tag.Value, Tag.Value, Tag.Value, Tag.Null], [long + "b", "b", long + "\uffff", "a", ""]),
      ],
    };
    const bytes = writeBlock(batch);
    const footer = parseBlockFooter(bytes, bytes.length);
    const stats = columnStats(footer);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(stats[0]).toMatchObject({ path: ["i"], type: "int", min: -3, max: 7, valueCount: 2, nullCount: 1, missingCount: 1, variantCount: 1, objectCount: 0, distinctCount: 2 });
    const s = stats[1]!;
    expect(s.min).toBe("a");
    expect(s.nullCount).toBe(1);
    expect(typeof s.max === "string" && s.max.length <= 64).toBe(true);
    for (const v of batch.columns[1]!.type === "string" ? batch.columns[1]!.values.slice(0, 4) : []) {
      expect(v >= (s.min as string) && v <= (s.max as string)).toBe(true);
    }
  });

  it("bloom filters have no false negatives and at most ~1% false positives", () => {
    const n = 20_000;
    const rnd = new Random(9);
    const ints = Array.from({ length: n }, () => rnd.int(0, 2 ** 31) * 3);
    const strings = Array.from({ length: n }, (_, i) => `user-${i * 2}`);
    const all = new Array<number>(n).fill(Tag.Value);
    const bytes = writeBlock({ rowCount: n, columns: [intColumn(["i"], all, ints), stringColumn(["s"], all, strings)] });
    const footer = parseBlockFooter(bytes, bytes.length);
    expect(footer.columns.every((c) => c.bloom !== null)).toBe(true);
    const intFilter = readBlockBloomFilter(bytes, footer, 0)!;
    const stringFilter = readBlockBloomFilter(bytes, footer, 1)!;
    for (let k = 0; k < n; k++) {
      if (!bloomMightContain(footer, 0, ints[k]!, intFilter) || !bloomMightContain(footer, 1, strings[k]!, stringFilter)) expect.unreachable(`false negative at ${k}`);
    }
    const present = new Set(ints);
    let intHits = 0;
    let stringHits = 0;
    const probes = 50_000;
    for (let k = 0; k < probes; k++) {
      const v = rnd.int(0, 2 ** 31) * 3 + 1;
      if (!present.has(v) && bloomMightContain(footer, 0, v, intFilter)) intHits++;
      if (bloomMightContain(footer, 1, `user-${k * 2 + 1}`, stringFilter)) stringHits++;
    }
    expect(intHits / probes).toBeLessThanOrEqual(0.012);
    expect(stringHits / probes).toBeLessThanOrEqual(0.012);
    // Another type can only be present as a Variant row, and these columns have none.
    expect(bloomMightContain(footer, 0, "3")).toBe(false);
    expect(bloomMightContain(footer, 1, 3)).toBe(false);
    // Without its bits a filter cannot rule a value of the column's type out.
    expect(bloomMightContain(footer, 1, "user-1")).toBe(true);
    expect(bloomMightContain(footer, 1, "user-1", stringFilter)).toBe(false);
  }, SLOW);

  it("bloom filters sit in their own checksummed regions after the chunks, outside the footer", () => {
    const n = 5000;
    const all = new Array<number>(n).fill(Tag.Value);
    const bytes = writeBlock({ rowCount: n, columns: [stringColumn(["a"], all, Array.from({ length: n }, (_, i) => `a-${i}`)), intColumn(["b"], all, Array.from({ length: n }, (_, i) => i * 7))] });
    const footer = parseBlockFooter(bytes, bytes.length);
    const trailer = readBlockTrailer(bytes.subarray(bytes.length - BLOCK_TRAILER_SIZE), bytes.length);
    const lastChunkEnd = Math.max(...footer.columns.map((c) => c.chunk.offset + c.chunk.length));
    for (const c of footer.columns) {
      expect(c.bloom).not.toBe(null);
      expect(c.bloom!.offset % 8).toBe(0);
      expect(c.bloom!.offset).toBeGreaterThanOrEqual(lastChunkEnd);
      expect(c.bloom!.offset + c.bloom!.length).toBeLessThanOrEqual(footer.footerOffset);
    }
    // Each filter is far larger than the whole footer, which only points at them.
    expect(trailer.footerLength).toBeLessThan(200);
    expect(footer.columns.every((c) => c.bloom!.length > 4 * trailer.footerLength)).toBe(true);
    // A flipped bit in a filter is caught by its checksum, not read as a different filter.
    const loc = footer.columns[0]!.bloom!;
    const damaged = bytes.slice();
    damaged[loc.offset + 3] = damaged[loc.offset + 3]! ^ 1;
    expect(codeOf(() => readBlockBloomFilter(damaged, footer, 0))).toBe("CORRUPT_BLOCK");
    expect(codeOf(() => decodeBloomFilter(footer, 0, damaged.subarray(loc.offset, loc.offset + loc.length - 1)))).toBe("CORRUPT_BLOCK");
    // The data decodes without touching the filters.
    expect(readBlock(damaged).rowCount).toBe(n);
    const noBloom = writeBlock({ rowCount: 1, columns: [intColumn(["x"], [Tag.Value], [1])] }, { bloomFilter: false });
    const noBloomFooter = parseBlockFooter(noBloom, noBloom.length);
    expect(readBlockBloomFilter(noBloom, noBloomFooter, 0)).toBe(null);
    expect(codeOf(() => decodeBloomFilter(noBloomFooter, 0, new Uint8Array(8)))).toBe("INVALID_ARGUMENT");
  });
});

describe("string dictionaries kept as codes", () => {
  it("decodeColumnChunk with keepStringCodes gives the same column, plus codes that index the dictionary", () => {
    const rnd = new Random(31);
    let coded = 0;
    for (let trial = 0; trial < 40; trial++) {
      const batch = randomBatch(rnd, rnd.int(1, 3000), 6);
      const bytes = writeBlock(batch);
      const footer = parseBlockFooter(bytes, bytes.length);
      footer.columns.forEach((c, i) => {
        const chunk = bytes.subarray(c.chunk.offset, c.chunk.offset + c.chunk.length);
        const plain = decodeColumnChunk(footer, i, chunk);
        const kept = decodeColumnChunk(footer, i, chunk, { keepStringCodes: true });
        expect(plain.dictionary).toBe(undefined);
        // Only dictionary-encoded string chunks (string stream id 33) keep codes.
        expect(kept.dictionary !== undefined).toBe(c.type === "string" && c.encodings.values === 33);
        const source = batch.columns[i]!;
        if (kept.dictionary !== undefined && source.type === "string") {
          coded++;
          const { dictionary, codes } = kept.dictionary;
          expect(codes.length).toBe(footer.rowCount);
          for (let row = 0; row < footer.rowCount; row++) {
            if (kept.tags[row] === Tag.Value && dictionary[codes[row]!] !== source.values[row]) expect.unreachable(`row ${row} of column ${i}`);
          }
        }
        // Values are built on first read and equal a plain decode.
        const { dictionary: _codes, ...withValues } = kept;
        expect(sameBatch({ rowCount: footer.rowCount, columns: [withValues as typeof kept] }, { rowCount: footer.rowCount, columns: [batch.columns[i]!] })).toBe(null);
      });
    }
    expect(coded).toBeGreaterThan(5);
  }, SLOW);
});

describe("projection and range reads", () => {
  it("readBlock decodes only the requested paths, their ancestors and descendants", () => {
    const batch = fixedBatch();
    const bytes = writeBlock(batch);
    const footer = parseBlockFooter(bytes, bytes.length);
    // Corrupt every chunk a projection of user.email must not touch: it still decodes.
    const damaged = bytes.slice();
    footer.columns.forEach((c) => {
      if (!["", "user", "user,email"].includes(c.path.join())) damaged[c.chunk.offset] = damaged[c.chunk.offset]! ^ 0xff;
    });
    const projected = readBlock(damaged, { paths: [["user", "email"]] });
    expect(projected.columns.map((c) => c.path)).toEqual([[], ["user"], ["user", "email"]]);
    expect(projected.columns).toStrictEqual([batch.columns[0], batch.columns[6], batch.columns[7]]);
    expect(readBlock(bytes, { paths: [["user"]] }).columns.map((c) => c.path)).toEqual([[], ["user"], ["user", "email"]]);
    expect(codeOf(() => readBlock(damaged))).toBe("CORRUPT_BLOCK");
  });

  it("openBlock does one suffix read, then fetches only the needed chunks, coalescing neighbours", async () => {
    const { store, counting, reads } = countingStore();
    const batch = randomBatch(new Random(3), 5000, 8);
    const bytes = writeBlock(batch);
    await store.put("b/1.evodb", bytes);
    expect((await openBlock(counting, "b/1.evodb")).size).toBe(bytes.length);
    expect(reads).toEqual([{ suffix: DEFAULT_FOOTER_READ_SIZE }]);
    // A suffix of exactly footer + trailer, so that every chunk below is a range read.
    const { footerLength } = readBlockTrailer(bytes.subarray(bytes.length - BLOCK_TRAILER_SIZE), bytes.length);
    const block = await openBlock(counting, "b/1.evodb", { footerReadSize: footerLength + BLOCK_TRAILER_SIZE });
    expect(block.size).toBe(bytes.length);
    expect(block.columnStats().length).toBe(8);

    reads.length = 0;
    const one = await block.readColumns([["c5"]]);
    expect(one.columns).toStrictEqual([batch.columns[5]]);
    const chunk = block.footer.columns[5]!.chunk;
    expect(reads).toEqual([{ offset: chunk.offset, length: chunk.length }]);

    reads.length = 0;
    const two = await block.readColumns([["c2"], ["c3"]]);
    expect(two.columns).toStrictEqual([batch.columns[2], batch.columns[3]]);
    expect(reads.length).toBe(1);
    reads.length = 0;
    const apart = await openBlock(counting, "b/1.evodb", { coalesceGap: -1, footerReadSize: footerLength + BLOCK_TRAILER_SIZE });
    reads.length = 0;
    await apart.readColumns([["c2"], ["c3"]]);
    expect(reads.length).toBe(2);

    reads.length = 0;
    const small = await openBlock(counting, "b/1.evodb", { footerReadSize: 32 });
    expect(reads.length).toBe(2);
    expect((await small.readColumns()).columns).toStrictEqual(batch.columns);
    await expect(openBlock(store, "missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
    // A block smaller than the first suffix read comes back whole in that one read.
    await store.put("b/tiny.evodb", writeBlock(fixedBatch()));
    reads.length = 0;
    const tiny = await openBlock(counting, "b/tiny.evodb");
    expect(reads.length).toBe(1);
    expect(sameBatch(await tiny.readColumns(), fixedBatch())).toBe(null);
    expect(tiny.suffix.length).toBe(tiny.size);
    // ... and the chunks and filters are then taken from it, not fetched again.
    expect(reads.length).toBe(1);
  }, SLOW);

  it("openBlock fetches only the bloom filters asked for, and takes from the suffix what it holds", async () => {
    const { store, counting, reads } = countingStore();
    const n = 20_000;
    const all = new Array<number>(n).fill(Tag.Value);
    const columns = Array.from({ length: 6 }, (_, c) => stringColumn([`s${c}`], all, Array.from({ length: n }, (_, i) => `v${c}-${i}`)));
    const bytes = writeBlock({ rowCount: n, columns }, { compression: "none" });
    await store.put("b/blooms.evodb", bytes);
    const block = await openBlock(counting, "b/blooms.evodb", { footerReadSize: 1024 });
    const footer = parseBlockFooter(bytes, bytes.length);
    reads.length = 0;
    const [first, none] = await block.readBloomFilters([1, 1]);
    const loc = footer.columns[1]!.bloom!;
    expect(reads).toEqual([{ offset: loc.offset, length: loc.length }]);
    expect(first).toEqual(readBlockBloomFilter(bytes, footer, 1));
    expect(none).toEqual(first);
    // The last filter ends right before the footer: a larger first read already holds it.
    const wide = await openBlock(counting, "b/blooms.evodb", { footerReadSize: bytes.length - footer.columns[5]!.bloom!.offset });
    reads.length = 0;
    expect(await wide.readBloomFilters([5])).toEqual([readBlockBloomFilter(bytes, footer, 5)]);
    expect(reads).toEqual([]);
    await expect(block.readBloomFilters([99])).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  }, SLOW);
});

describe("refusals", () => {
  it("unknown versions are UNSUPPORTED_VERSION; bad magic is CORRUPT_BLOCK", () => {
    const bytes = writeBlock(fixedBatch());
    const v3 = bytes.slice();
    v3[bytes.length - 8] = 3;
    expect(codeOf(() => readBlock(v3))).toBe("UNSUPPORTED_VERSION");
    expect(codeOf(() => parseBlockFooter(v3, v3.length))).toBe("UNSUPPORTED_VERSION");
    const head = bytes.slice();
    head[4] = 9;
    expect(codeOf(() => readBlock(head))).toBe("UNSUPPORTED_VERSION");
    const magic = bytes.slice();
    magic[bytes.length - 1] = 0;
    expect(codeOf(() => readBlock(magic))).toBe("CORRUPT_BLOCK");
  });

  it("a footer (with valid checksums) claiming a chunk inflates past 256 MiB is refused before allocating", () => {
    const bytes = writeBlock(compressibleBatch());
    const footer = parseBlockFooter(bytes, bytes.length);
    const i = footer.columns.findIndex((c) => c.chunk.compression === "deflate");
    const columns = footer.columns.map((c, j) => (j === i ? { ...c, chunk: { ...c.chunk, rawLength: 2 ** 40 } } : c));
    expect(codeOf(() => readBlock(withFooter(bytes, footer, columns)))).toBe("CORRUPT_BLOCK");
  });

  it("the writer refuses batches that break the column contract", () => {
    expect(codeOf(() => writeBlock({ rowCount: 2, columns: [intColumn(["a"], [Tag.Value], [1])] }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => writeBlock({ rowCount: 1, columns: [intColumn(["a"], [7], [1])] }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => writeBlock({ rowCount: 1, columns: [intColumn(["a"], [Tag.Value], [1.5])] }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => writeBlock({ rowCount: 1, columns: [intColumn(["a"], [Tag.Variant], [0])] }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => writeBlock({ rowCount: 1, columns: [intColumn(["a"], [Tag.Value], [1]), intColumn(["a"], [Tag.Value], [1])] }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => writeBlock({ rowCount: 2 ** 25, columns: [] }))).toBe("LIMIT_EXCEEDED");
  });
});
