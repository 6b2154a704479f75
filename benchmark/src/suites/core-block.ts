/**
 * Block figures: shred + encode + write one `.evodb` block, read it back (whole, projected, and one
 * column chunk at a time against hyparquet on the same column of DuckDB's Parquet file), and block
 * bytes against raw NDJSON, gzip-6 NDJSON and Parquet-zstd.
 */
import {
  crc32c, decodeColumnChunk, parseBlockFooter, parseNdjson as parseNdjsonLossless, readBlock, reassemble, shred, writeBlock,
  type BlockFooter, type JsonValue,
} from "@evodb/core";
import { GZIPS, gunzipAndParse, stringifyAndGzip } from "../baselines/json";
import { hyparquetDecodeColumn } from "../baselines/parquet";
import { perSecond, type SuiteContext } from "../harness/registry";
import type { Timing } from "../harness/timing";
import { formatValue } from "../harness/report";
import { compareTimed } from "./compare";
import { DECODE_COLUMNS, HEAVY, parquetColumnNote, type CoreBaselines } from "./core-baselines";
import { firstRoundTripDifference } from "./core-shred";

/**
 * The main figures write the whole dataset (100,000 documents) as one block, like DuckDB's one row
 * group; the size table also shows it as blocks of this many documents.
 */
const SMALL_BLOCK_DOCS = 10_000;

function zlibGzip(): (typeof GZIPS)[number] {
  return GZIPS.find((g) => g.name === "node:zlib")!;
}

function writeBlocks(docs: readonly JsonValue[], perBlock: number): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  for (let start = 0; start < docs.length; start += perBlock) blocks.push(writeBlock(shred(docs.slice(start, start + perBlock))));
  return blocks;
}

/** Write path: documents to block bytes, against gzip-6 NDJSON and DuckDB's NDJSON -> Parquet. */
async function measureWrite(ctx: SuiteContext, baselines: CoreBaselines, block: Uint8Array): Promise<void> {
  const docs = ctx.dataset.docs as JsonValue[];
  const n = docs.length;
  const gz = zlibGzip();
  const batch = shred(docs);
  ctx.log("writeBlock breakdown");
  // Where the time goes: shred alone, writeBlock without deflate and bloom filters, without deflate
  // only, and with defaults, timed run by run side by side so that the differences are meaningful.
  const [shredTiming, bareTiming, plainTiming, fullTiming] = (await ctx.measureSideBySide(
    [
      () => shred(docs),
      () => writeBlock(batch, { compression: "none", bloomFilter: false }),
      () => writeBlock(batch, { compression: "none" }),
      () => writeBlock(batch),
    ],
    HEAVY,
  )) as [Timing, Timing, Timing, Timing];
  const breakdown = (totalMs: number, includesShred: boolean): string => {
    const parts = [
      ...(includesShred ? [`shred ${shredTiming.medianMs.toFixed(0)} ms`] : []),
      `encodings + stats + checksums ${bareTiming.medianMs.toFixed(0)} ms`,
      `bloom filters ${Math.max(0, plainTiming.medianMs - bareTiming.medianMs).toFixed(0)} ms`,
      `deflate ${Math.max(0, fullTiming.medianMs - plainTiming.medianMs).toFixed(0)} ms`,
    ];
    return `Of the ${totalMs.toFixed(0)} ms median run: ${parts.join(", ")} (parts timed side by side in a separate measurement).`;
  };
  ctx.record({
    group: "Write and read paths", name: "EvoDB encode + write block, no deflate, no bloom filters", unit: "docs/s", better: "higher",
    value: perSecond(n, bareTiming), timing: bareTiming,
    note: "writeBlock on the shredded batch with compression \"none\" and bloomFilter false: encodings, statistics and checksums only.",
  });
  ctx.log("shred + writeBlock");
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB shred + encode + write block", unit: "docs/s", better: "higher", count: n,
    operation: () => writeBlock(shred(docs)),
    baselineName: "JSON.stringify + gzip-6 (node:zlib)", baselineOperation: () => stringifyAndGzip(docs, gz), options: HEAVY,
    targets: [{ of: "value", op: ">=", threshold: 1_000_000, label: ">= 1,000,000 docs/s" }],
    note: `All ${n.toLocaleString("en-US")} parsed documents into one block of ${(block.length / 1e6).toFixed(2)} MB (writeBlock defaults: ` +
      "deflate level 6 where it saves >= 10%, bloom filters on int and string columns).",
    explain: (timing) => breakdown(timing.medianMs, true),
  });
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB encode + write block (from columns)", unit: "docs/s", better: "higher", count: n,
    operation: () => writeBlock(batch),
    baselineName: "DuckDB table -> Parquet-zstd (1 thread, native)",
    baselineOperation: () => baselines.duck.copyToParquet("events", "events-side.parquet"), options: HEAVY,
    note: "writeBlock alone on the already shredded batch, against DuckDB encoding its in-memory table with native code.",
    explain: (timing) => breakdown(timing.medianMs, false),
  });
  const ndjson = ctx.dataset.ndjson;
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB NDJSON text -> block (parseNdjson + shred + write)", unit: "docs/s", better: "higher",
    count: n, operation: () => writeBlock(shred(parseNdjsonLossless(ndjson))),
    baselineName: "DuckDB NDJSON file -> Parquet-zstd (1 thread, native)",
    baselineOperation: () => baselines.duck.ndjsonToParquet("events-side-ingest.parquet"), options: { ...HEAVY, warmupRuns: 0, minRuns: 2 },
    note: "The whole ingest path from text, EvoDB's lossless parser included.",
  });
}

/** Read path: block bytes to documents, against gunzip + JSON.parse. */
async function measureRead(ctx: SuiteContext, block: Uint8Array): Promise<void> {
  const docs = ctx.dataset.docs as JsonValue[];
  const n = docs.length;
  const gz = zlibGzip();
  const gzipped = stringifyAndGzip(docs, gz);
  ctx.log("readBlock + reassemble");
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB read block + reassemble", unit: "docs/s", better: "higher", count: n,
    operation: () => reassemble(readBlock(block)),
    baselineName: "gunzip + JSON.parse (node:zlib)", baselineOperation: () => gunzipAndParse(gzipped, gz), options: HEAVY,
    note: "Every column decoded (checksums verified, deflated chunks inflated) and whole documents rebuilt.",
  });
  const paths = [["type"], ["user", "id"], ["received_at"]];
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB read block + reassemble 3 projected paths", unit: "docs/s", better: "higher", count: n,
    operation: () => reassemble(readBlock(block, { paths }), { paths }),
    baselineName: "gunzip + JSON.parse (node:zlib)", baselineOperation: () => gunzipAndParse(gzipped, gz), options: HEAVY,
    note: "Only the chunks of type, user.id, received_at (and their ancestors) are decoded; gzip JSON must be read whole.",
  });
}

/** Names of the encoding ids of docs/format.md ("Encoding ids"; ids never change within format v1), for notes. */
const ENCODING_NAMES: Record<number, string> = {
  1: "plain", 2: "frame-of-reference bit-packed", 3: "delta", 4: "run-length", 5: "dictionary",
  16: "plain float", 17: "integral float", 18: "decimal float", 19: "float dictionary",
  32: "plain strings", 33: "string dictionary", 48: "bits",
};

function encodingName(id: number): string {
  return ENCODING_NAMES[id] ?? `encoding ${id}`;
}

function columnIndex(footer: BlockFooter, path: readonly string[]): number {
  return footer.columns.findIndex((c) => c.path.length === path.length && c.path.every((key, i) => key === path[i]));
}

/** One column chunk decoded alone, side by side with hyparquet on the same column. */
async function measureColumnDecode(ctx: SuiteContext, baselines: CoreBaselines, block: Uint8Array, plainBlock: Uint8Array): Promise<void> {
  const footer = parseBlockFooter(block, block.length);
  const plainFooter = parseBlockFooter(plainBlock, plainBlock.length);
  const n = ctx.dataset.count;
  for (const column of DECODE_COLUMNS) {
    const name = column.path.join(".");
    const index = columnIndex(footer, column.path);
    if (index < 0) {
      ctx.pending(`decode ${name}`, "the block has no column at this path");
      continue;
    }
    const entry = footer.columns[index]!;
    const chunk = block.subarray(entry.chunk.offset, entry.chunk.offset + entry.chunk.length);
    ctx.log(`decode ${name}`);
    const mismatch = await compareWithHyparquet(baselines, name, decodeColumnChunk(footer, index, chunk));
    const isInt = column.kind === "int";
    let plainMs: number | undefined;
    const crcTiming = await ctx.measure(() => crc32c(chunk), { minTimeMs: 300, minRuns: 5 });
    if (entry.chunk.compression === "deflate") {
      // The same column from a block written with compression "none": what the decode kernels cost without inflate.
      const plainIndex = columnIndex(plainFooter, column.path);
      const plainEntry = plainFooter.columns[plainIndex]!;
      const plainChunk = plainBlock.subarray(plainEntry.chunk.offset, plainEntry.chunk.offset + plainEntry.chunk.length);
      const plainTiming = await ctx.measure(() => decodeColumnChunk(plainFooter, plainIndex, plainChunk), { minTimeMs: 500, minRuns: 5 });
      const plainRate = perSecond(n, plainTiming);
      ctx.record({
        group: "Single-column decode", name: `EvoDB decode column chunk: ${name}, stored without deflate`, unit: "values/s",
        better: "higher", value: plainRate, timing: plainTiming,
        note: `${plainEntry.chunk.length.toLocaleString("en-US")} bytes stored instead of ${entry.chunk.length.toLocaleString("en-US")}.`,
      });
      plainMs = plainTiming.medianMs;
    }
    await compareTimed(ctx, {
      group: "Single-column decode", name: `EvoDB decode column chunk: ${name} (${column.kind})`, unit: "values/s", better: "higher",
      count: n, operation: () => decodeColumnChunk(footer, index, chunk),
      baselineName: `hyparquet: ${name}`, baselineOperation: () => hyparquetDecodeColumn(baselines.parquet, name),
      options: { minTimeMs: 1000, minRuns: 5 },
      ...(isInt
        ? {
            targets: [
              { of: "value", op: ">=", threshold: 300e6, label: ">= 300 M values/s" },
              { of: "ratio", op: ">=", threshold: 10, label: ">= 10x hyparquet" },
            ] as const,
          }
        : {}),
      explain: (timing) => {
        const share = (ms: number): string => `${Math.max(0, Math.min(100, Math.round((ms / timing.medianMs) * 100)))}%`;
        const inflateMs = plainMs === undefined ? 0 : Math.max(0, timing.medianMs - plainMs);
        const parts = [
          `Of the ${timing.medianMs.toFixed(2)} ms decode, verifying the chunk's CRC-32C takes ${share(crcTiming.medianMs)}` +
            (plainMs === undefined ? "" : `, inflating the deflated chunk about ${share(inflateMs)}`) +
            `, and ${encodingName(entry.encodings.values)} decoding plus the tag stream the remaining ` +
            `${share(Math.max(0, timing.medianMs - crcTiming.medianMs - inflateMs))}.`,
        ];
        if (plainMs !== undefined) {
          parts.push(
            `writeBlock deflates a chunk when that saves >= 10%; stored without deflate this column decodes at ` +
              `${formatValue(perSecond(n, { ...timing, medianMs: plainMs }), "values/s")}.`,
          );
        }
        return parts.join(" ");
      },
      note: `EvoDB chunk: ${entry.type} column, ${entry.chunk.length.toLocaleString("en-US")} bytes stored` +
        `${entry.chunk.compression === "deflate" ? ` (deflated from ${entry.chunk.rawLength.toLocaleString("en-US")})` : ""}, ` +
        `tags ${encodingName(entry.encodings.tags)}, values ${encodingName(entry.encodings.values)}; decoded to tags + ` +
        `${isInt ? "a Float64Array" : "a string array"} with the footer parsed once and the CRC-32C verified on every run. ` +
        (await parquetColumnNote(baselines, column)) + (mismatch ? ` **Values differ from hyparquet's: ${mismatch}.**` : ""),
    });
  }
}

/** First row where EvoDB's decoded column and hyparquet's disagree (both read the same documents). */
async function compareWithHyparquet(baselines: CoreBaselines, name: string, column: ReturnType<typeof decodeColumnChunk>): Promise<string | undefined> {
  const expected = await hyparquetDecodeColumn(baselines.parquet, name);
  if (column.type !== "int" && column.type !== "string") return `EvoDB column type is ${column.type}`;
  for (let row = 0; row < expected.length; row++) {
    const want = expected[row];
    const got = column.tags[row] === 2 ? column.values[row] : null;
    const wantComparable = typeof want === "bigint" ? Number(want) : want ?? null;
    if (got !== wantComparable) return `row ${row}: ${String(got)} vs ${String(wantComparable)}`;
  }
  return undefined;
}

/** Block bytes against the baselines' sizes. */
function recordSizes(ctx: SuiteContext, baselines: CoreBaselines, block: Uint8Array, plainBlock: Uint8Array): void {
  const gzipBytes = baselines.gzipBytes.get("node:zlib")!.value;
  const docs = ctx.dataset.docs as JsonValue[];
  const blockNote = `One block of all ${docs.length.toLocaleString("en-US")} documents, writeBlock defaults.`;
  ctx.record({
    group: "Size", name: "EvoDB block vs raw NDJSON", value: block.length, unit: "bytes", better: "lower",
    baseline: { name: "raw NDJSON", value: baselines.rawBytes.value }, note: blockNote,
  });
  ctx.record({
    group: "Size", name: "EvoDB block vs gzip-6 NDJSON", value: block.length, unit: "bytes", better: "lower",
    baseline: { name: "gzip-6 NDJSON (node:zlib)", value: gzipBytes },
    targets: [{ of: "ratio", op: "<=", threshold: 1, label: "<= gzip-6 JSON" }],
  });
  ctx.record({
    group: "Size", name: "EvoDB block vs Parquet-zstd", value: block.length, unit: "bytes", better: "lower",
    baseline: { name: "Parquet-zstd by DuckDB (its inferred types)", value: baselines.parquetBytes.value },
    targets: [{ of: "ratio", op: "<=", threshold: 1.2, label: "<= 1.2x Parquet-zstd" }],
  });
  ctx.record({
    group: "Size", name: "EvoDB block vs Parquet-zstd with the same strings", value: block.length, unit: "bytes", better: "lower",
    baseline: { name: "Parquet-zstd by DuckDB (event_id, ts kept as strings)", value: baselines.parquetTextBytes.value },
  });
  ctx.record({
    group: "Size", name: "EvoDB block without deflate vs gzip-6 NDJSON", value: plainBlock.length, unit: "bytes", better: "lower",
    baseline: { name: "gzip-6 NDJSON (node:zlib)", value: gzipBytes },
    note: "writeBlock with compression \"none\": encodings alone (dictionary, delta, bit-packing, run-length), no general-purpose compression.",
  });
  const small = writeBlocks(docs, SMALL_BLOCK_DOCS);
  ctx.record({
    group: "Size", name: `EvoDB ${small.length} blocks of ${SMALL_BLOCK_DOCS.toLocaleString("en-US")} documents vs gzip-6 NDJSON`,
    value: small.reduce((sum, b) => sum + b.length, 0), unit: "bytes", better: "lower",
    baseline: { name: "gzip-6 NDJSON (node:zlib)", value: gzipBytes },
    note: "Smaller blocks, as a writer flushing more often would produce: less data per column chunk to compress.",
  });
}

/** Runs every block figure. */
export async function measureBlocks(ctx: SuiteContext, baselines: CoreBaselines): Promise<void> {
  const docs = ctx.dataset.docs as JsonValue[];
  const block = writeBlock(shred(docs));
  const difference = firstRoundTripDifference(docs, reassemble(readBlock(block)));
  if (difference !== undefined) {
    ctx.note(`**Block round trip failed** (shred, writeBlock, readBlock, reassemble): ${difference}. Block figures are not trustworthy until it is fixed.`);
  }
  const plainBlock = writeBlock(shred(docs), { compression: "none" });
  recordSizes(ctx, baselines, block, plainBlock);
  await measureWrite(ctx, baselines, block);
  await measureRead(ctx, block);
  await measureColumnDecode(ctx, baselines, block, plainBlock);
}
