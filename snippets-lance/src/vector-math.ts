/** Small vector helpers shared by the builder and the search. */

/** A copy of `n` rows scaled to unit length (zero rows stay zero), for the cosine metric. */
export function normaliseRows(vectors: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += vectors[i * dim + j]! * vectors[i * dim + j]!;
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[i * dim + j] = vectors[i * dim + j]! * scale;
  }
  return out;
}
