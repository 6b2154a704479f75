/** Test data and an exact (brute-force) reference search, plus a fetch-counting store wrapper. */
import { MemoryObjectStore, type ObjectGetOptions, type ObjectStore } from "@evodb/core";
import { clusteredVectors } from "@evodb/test-utils";

/** The Gaussian-mixture generator lives in test-utils so the benchmark uses the same data. */
export { clusteredVectors };

/** Exact top-k row positions by squared l2 or cosine distance, ties by position. */
export function exactSearch(vectors: Float32Array, dim: number, query: ArrayLike<number>, k: number, metric: "l2" | "cosine"): { ids: number[]; distances: number[] } {
  const n = vectors.length / dim;
  const scored: { id: number; d: number }[] = [];
  let qNorm = 0;
  for (let j = 0; j < dim; j++) qNorm += query[j]! * query[j]!;
  for (let i = 0; i < n; i++) {
    let d = 0;
    let dot = 0;
    let vNorm = 0;
    for (let j = 0; j < dim; j++) {
      const v = vectors[i * dim + j]!;
      const diff = v - query[j]!;
      d += diff * diff;
      dot += v * query[j]!;
      vNorm += v * v;
    }
    scored.push({ id: i, d: metric === "l2" ? d : 1 - dot / Math.sqrt(qNorm * vNorm) });
  }
  scored.sort((a, b) => a.d - b.d || a.id - b.id);
  const top = scored.slice(0, k);
  return { ids: top.map((s) => s.id), distances: top.map((s) => s.d) };
}

/** A real MemoryObjectStore that counts `get` calls (each one a Snippet subrequest) and bytes returned. */
export class CountingStore extends MemoryObjectStore implements ObjectStore {
  gets = 0;
  bytes = 0;

  override async get(key: string, options?: ObjectGetOptions): ReturnType<MemoryObjectStore["get"]> {
    this.gets++;
    const object = await super.get(key, options);
    if (object === null) return null;
    const body = await object.arrayBuffer();
    this.bytes += body.byteLength;
    return { ...object, arrayBuffer: async () => body, text: async () => new TextDecoder().decode(body) };
  }
}
