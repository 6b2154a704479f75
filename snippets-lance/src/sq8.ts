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
 * Squared l2 between the query and each of `rows` codes at `codes[at..]`, written to `out`.
 * `offset[j] = min[j] - query[j]`, so the decoded difference is `code * step + offset`.
 */
export function sq8Distances(codes: Uint8Array, at: number, rows: number, dim: number, step: Float32Array, offset: Float32Array, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const base = at + r * dim;
    let d = 0;
    for (let j = 0; j < dim; j++) {
      const diff = codes[base + j]! * step[j]! + offset[j]!;
      d += diff * diff;
    }
    out[r] = d;
  }
}
