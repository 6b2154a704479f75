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
 * `offset[j] = min[j] - query[j]`, so the decoded difference is `code * step + offset`.
 */
export function sq8Distance(codes: Uint8Array, base: number, dim: number, step: Float32Array, offset: Float32Array, bound: number): number {
  let d = 0;
  let j = 0;
  // Every term is >= 0, so a partial sum above the bound is final; checking every 16 dimensions
  // skips most of a far row's work without a branch per dimension.
  for (; j + 16 <= dim; j += 16) {
    for (let t = j; t < j + 16; t++) {
      const diff = codes[base + t]! * step[t]! + offset[t]!;
      d += diff * diff;
    }
    if (d > bound) return d;
  }
  for (; j < dim; j++) {
    const diff = codes[base + j]! * step[j]! + offset[j]!;
    d += diff * diff;
  }
  return d;
}
