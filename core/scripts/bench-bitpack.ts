/**
 * Measures the generated width-specialised unpack kernels against the generic per-value loop
 * (run: `pnpm exec tsx core/scripts/bench-bitpack.ts`). Prints M values/s per width; informs the
 * choice documented in core/src/encoding/bitpack.ts. Not a test: timings are never asserted.
 */
import { Random } from "@evodb/test-utils";
import { packBits, unpackBits, unpackBitsGeneric } from "../src/encoding/bitpack";

const N = 4_000_000;
const rnd = new Random(1);
const out = new Float64Array(N);

function best(run: () => void): number {
  let min = Infinity;
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    run();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

console.log("width  generated M/s  generic M/s  speed-up");
for (const width of [1, 3, 7, 8, 12, 16, 20, 24, 31, 32]) {
  const values = new Float64Array(N);
  for (let i = 0; i < N; i++) values[i] = width === 32 ? rnd.nextUint32() : rnd.nextUint32() % 2 ** width;
  const words = packBits(values, 0, N, 0, width);
  const fast = best(() => unpackBits(words, 0, N, width, 1000, out, 0));
  const slow = best(() => unpackBitsGeneric(words, 0, N, width, 1000, out, 0));
  const f = N / fast / 1000;
  const s = N / slow / 1000;
  console.log(`${String(width).padStart(5)}  ${f.toFixed(0).padStart(13)}  ${s.toFixed(0).padStart(11)}  ${(f / s).toFixed(2)}x`);
}
