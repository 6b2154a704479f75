/**
 * Rough single-core figures for the block codec (run: `pnpm exec tsx core/scripts/bench-block.ts`):
 * decode speed of one int, float and string column via decodeColumnChunk, and write speed. The
 * benchmark package owns the published numbers; this script is for tuning encodings.
 */
import { Random } from "@evodb/test-utils";
import { Tag, decodeColumnChunk, parseBlockFooter, writeBlock, type ShreddedBatch } from "../src/index";

const N = 1_000_000;
const rnd = new Random(1);
const tags = new Uint8Array(N).fill(Tag.Value);
const ints = new Float64Array(N);
const ts = new Float64Array(N);
const floats = new Float64Array(N);
const strings: string[] = new Array<string>(N);
const pool = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
for (let i = 0; i < N; i++) {
  ints[i] = rnd.int(0, 100_000);
  ts[i] = 1_700_000_000_000 + i * 1000 + rnd.int(0, 999);
  floats[i] = rnd.int(0, 1_000_000) / 100;
  strings[i] = rnd.pick(pool);
}
const batch: ShreddedBatch = {
  rowCount: N,
  columns: [
    { path: ["n"], type: "int", tags, values: ints },
    { path: ["ts"], type: "int", tags, values: ts },
    { path: ["amount"], type: "float", tags, values: floats },
    { path: ["user"], type: "string", tags, values: strings },
  ],
};

function best(run: () => void, reps = 7): number {
  let min = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    run();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

for (const compression of ["none", "auto"] as const) {
  let bytes: Uint8Array = new Uint8Array(0);
  const w = best(() => (bytes = writeBlock(batch, { compression })), 3);
  const footer = parseBlockFooter(bytes, bytes.length);
  console.log(`compression=${compression}: block ${(bytes.length / 1e6).toFixed(2)} MB, write ${w.toFixed(0)} ms (${(N / w / 1000).toFixed(2)} M rows/s of 4 columns)`);
  footer.columns.forEach((c, i) => {
    const chunk = bytes.subarray(c.chunk.offset, c.chunk.offset + c.chunk.length);
    const ms = best(() => decodeColumnChunk(footer, i, chunk));
    console.log(`  ${c.path.join(".").padEnd(7)} ${c.type.padEnd(6)} enc=${c.encodings.values} ${c.chunk.compression.padEnd(7)} ${(c.chunk.length / N).toFixed(2)} B/value  decode ${(N / ms / 1000).toFixed(0)} M values/s`);
  });
}
