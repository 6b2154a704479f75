/**
 * Lance's 8-bit scalar quantiser (SQ8) as IVF_HNSW_SQ indices store it: one [start, end] range for
 * every dimension (auxiliary.idx `storage_metadata` "bounds"), codes
 * `(v - start) * 255 / (end - start)` clamped to 0..255 (no residual). The query is quantised
 * the same way (truncated) and compared in code space: l2 (and cosine, whose vectors are normalised first) as
 * the integer sum of squared code differences times `((end - start)^2 / 255^2)` in float32, which
 * puts the distance back on the scale of squared L2 between the original vectors. Dot indices
 * compare the float query with the dequantised rows instead (see {@link sqDot}).
 */
import { check, unsupported } from "../errors";

/** Parameters of an SQ8 storage. */
export interface SqParams {
  readonly dimension: number;
  readonly start: number;
  readonly end: number;
  /** float32 factor from code-space distance to vector-space distance. */
  readonly scale: number;
}

/** Parses one `storage_metadata` entry: `{"dim":D,"num_bits":8,"bounds":{"start":s,"end":e}}`. */
export function parseSqParams(json: string): SqParams {
  let meta: { dim?: unknown; num_bits?: unknown; bounds?: { start?: unknown; end?: unknown } };
  try {
    meta = JSON.parse(json) as typeof meta;
  } catch {
    check(false, "SQ storage metadata is not JSON");
  }
  check(typeof meta === "object" && meta !== null, "SQ storage metadata is not an object");
  if (meta.num_bits !== 8) throw unsupported(`${String(meta.num_bits)}-bit scalar quantisation (8-bit is supported)`);
  const dimension = meta.dim;
  const start = meta.bounds?.start;
  const end = meta.bounds?.end;
  check(typeof dimension === "number" && Number.isInteger(dimension) && dimension > 0, "SQ dimension is not a positive integer");
  check(typeof start === "number" && typeof end === "number" && Number.isFinite(start) && Number.isFinite(end) && end >= start, "SQ bounds are not a finite range");
  // Lance: range as f32, then range * range / (255 * 255) in f32.
  const range = Math.fround(end - start);
  return { dimension, start, end, scale: Math.fround(Math.fround(range * range) / 65025) };
}

/** Quantises `vector` into `out` (one byte per dimension) as the index quantised its vectors. */
export function quantize(params: SqParams, vector: Float32Array, out: Uint8Array): void {
  const { start, end } = params;
  const range = end - start;
  for (let i = 0; i < params.dimension; i++) {
    const v = vector[i]!;
    // The lance in lancedb 0.37.1 truncates the scaled query value (checked against its distances:
    // rounding gives other code-space sums); (v - start) >= 0 here, so truncation is Math.floor.
    out[i] = v < start ? 0 : v > end ? 255 : range === 0 ? 0 : Math.floor(((v - start) * 255) / range);
  }
}

/** Squared L2 between the query code and the code of row `row` in `codes`, as Lance's SQ8 distance (float32). */
export function sqL2(params: SqParams, query: Uint8Array, codes: Uint8Array, row: number): number {
  const d = params.dimension;
  const base = row * d;
  let sum = 0;
  for (let i = 0; i < d; i++) {
    const x = query[i]! - codes[base + i]!;
    sum += x * x;
  }
  return Math.fround(Math.fround(sum) * params.scale);
}

/**
 * Lance's SQ8 dot distance (checked against lancedb 0.37.1's answers): the float query against
 * the dequantised row, `1 - sum(q_i * (start + code_i * (end - start) / 255))`, rounded to float32.
 * `querySum` is sum(q_i).
 */
export function sqDot(params: SqParams, query: Float32Array, querySum: number, codes: Uint8Array, row: number): number {
  const d = params.dimension;
  const base = row * d;
  let sum = 0;
  for (let i = 0; i < d; i++) sum += query[i]! * codes[base + i]!;
  return Math.fround(1 - (params.start * querySum + ((params.end - params.start) / 255) * sum));
}
