/**
 * SQ8: per-dimension min/max scalar quantisation to one byte (value = min + code * step). Chosen over
 * PQ for version 1 because it keeps recall high with no codebook training and a distance kernel of one
 * multiply-add per dimension (docs/snippets-lance.md, "Why SQ8").
 */

/** Per-dimension `min` and `step = (max - min) / 255` over `n` rows. */
export function trainSq8(vectors: Float32Array, n: number, dim: number): { min: Float32Array; step: Float32Array } {
  const min = new Float32Array(dim).fill(Infinity);
  const max = new Float32Array(dim).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      const v = vectors[i * dim + j]!;
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
    }
  }
  const step = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    if (n === 0) min[j] = 0;
    else step[j] = (max[j]! - min[j]!) / 255;
  }
  return { min, step };
}

/** Writes the SQ8 code of row `row` into `out` at `at`. */
export function encodeSq8Row(vectors: Float32Array, row: number, dim: number, min: Float32Array, step: Float32Array, out: Uint8Array, at: number): void {
  for (let j = 0; j < dim; j++) {
    const s = step[j]!;
    const code = s === 0 ? 0 : Math.round((vectors[row * dim + j]! - min[j]!) / s);
    out[at + j] = code < 0 ? 0 : code > 255 ? 255 : code;
  }
}

/**
 * Squared l2 between the query and the SQ8 code at `codes[base..base + dim)`, abandoned once the
 * partial sum exceeds `bound` (then some value > `bound` is returned: the row cannot make the top-k).
 * `offset[j] = min[j] - query[j]` (plus the centroid for residual codes), so the decoded difference
 * is `code * step + offset`.
 */
export function sq8Distance(codes: Uint8Array, base: number, dim: number, step: Float32Array, offset: Float32Array, bound: number): number {
  // Four accumulators break the add-latency chain of one running sum (about 2x faster in V8);
  // every term is >= 0, so a partial sum above the bound is final, checked every 16 dimensions.
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  let j = 0;
  for (; j + 16 <= dim; j += 16) {
    for (let t = j; t < j + 16; t += 4) {
      const a = codes[base + t]! * step[t]! + offset[t]!;
      const b = codes[base + t + 1]! * step[t + 1]! + offset[t + 1]!;
      const c = codes[base + t + 2]! * step[t + 2]! + offset[t + 2]!;
      const e = codes[base + t + 3]! * step[t + 3]! + offset[t + 3]!;
      d0 += a * a;
      d1 += b * b;
      d2 += c * c;
      d3 += e * e;
    }
    if (d0 + d1 + d2 + d3 > bound) return d0 + d1 + d2 + d3;
  }
  for (; j < dim; j++) {
    const diff = codes[base + j]! * step[j]! + offset[j]!;
    d0 += diff * diff;
  }
  return d0 + d1 + d2 + d3;
}
