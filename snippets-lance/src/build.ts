/**
 * Builds a snippet-lance index from raw vectors: seeded k-means for the IVF partitions, SQ8 codes,
 * and the two objects of docs/snippets-lance.md.
 */
import { crc32c, EvoDBError, type ObjectStore } from "@evodb/core";
import { alignPartition, encodeHeader, MAX_DIM, MAX_PARTITIONS, partitionByteLength, type Metric, type Quantiser } from "./format";
import { nearestCentroid, orderCentroidsByTour, prefixNearestCentroid, trainKMeans } from "./kmeans";
import { normaliseRows } from "./vector-math";
import { encodeSq8Row, trainSq8 } from "./sq8";

/** Options of {@link buildIndex}. */
export interface BuildOptions {
  /** Vector dimension; `vectors.length` must be a multiple of it. */
  dim: number;
  /** Default "l2" (squared euclidean). "cosine" normalises vectors at build time and queries at search time. */
  metric?: Metric;
  /** IVF partitions; default `round(sqrt(n))` clamped to 1..n. */
  partitions?: number;
  /** Row id of each vector (default its position). Integers 0..2^53-1. */
  rowIds?: ArrayLike<number>;
  /** Store float32 vectors beside the codes for exact re-ranking (4 * dim more bytes per row). */
  refine?: boolean;
  /** What SQ8 codes: `"sq8-residual"` (default; the residual from the partition centroid) or `"sq8"` (the vector). */
  quantiser?: Quantiser;
  /** k-means seed (default 1): the same input and seed give the same bytes. */
  seed?: number;
  /** k-means iterations (default 10). */
  iterations?: number;
  /** k-means training sample (default 64 rows per partition). */
  sampleSize?: number;
}

/** The two objects of an index, ready to write. */
export interface BuiltIndex {
  header: Uint8Array;
  data: Uint8Array;
  /** Key suffix of the data object (`data-<crc hex>`), also recorded in the header. */
  dataKey: string;
}

function invalid(message: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", `buildIndex: ${message}`);
}

/** Each row minus the centroid of its partition: what residual SQ8 codes. */
function residuals(space: Float32Array, n: number, dim: number, assignment: Uint32Array, centroids: Float32Array): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const cb = assignment[i]! * dim;
    for (let j = 0; j < dim; j++) out[i * dim + j] = space[i * dim + j]! - centroids[cb + j]!;
  }
  return out;
}

/** Builds an index over `vectors` (row-major, `n * dim`). */
export function buildIndex(vectors: Float32Array, options: BuildOptions): BuiltIndex {
  const { dim } = options;
  if (!Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) throw invalid(`dim ${dim} must be an integer in 1..${MAX_DIM}`);
  if (vectors.length % dim !== 0) throw invalid(`${vectors.length} floats is not a multiple of dim ${dim}`);
  const n = vectors.length / dim;
  for (let i = 0; i < vectors.length; i++) if (!Number.isFinite(vectors[i]!)) throw invalid(`vector ${Math.floor(i / dim)} has a non-finite value`);
  const metric = options.metric ?? "l2";
  const partitionCount = Math.max(1, Math.min(options.partitions ?? Math.round(Math.sqrt(n)), Math.max(n, 1)));
  if (!Number.isInteger(partitionCount) || partitionCount > MAX_PARTITIONS) throw invalid(`partitions must be an integer in 1..${MAX_PARTITIONS}`);
  const rowIds = options.rowIds;
  if (rowIds !== undefined && rowIds.length !== n) throw invalid(`${rowIds.length} row ids for ${n} vectors`);
  let rowIdWidth: 4 | 8 = 4;
  if (rowIds !== undefined) {
    for (let i = 0; i < n; i++) {
      const id = rowIds[i]!;
      if (!Number.isSafeInteger(id) || id < 0) throw invalid(`row id ${id} at ${i} is not an integer in 0..2^53-1`);
      if (id > 0xffffffff) rowIdWidth = 8;
    }
  } else if (n > 0xffffffff) rowIdWidth = 8;
  const hasRefine = options.refine ?? false;
  const space = metric === "cosine" ? normaliseRows(vectors, n, dim) : vectors;

  const centroids = n === 0
    ? new Float32Array(dim)
    : orderCentroidsByTour(
        trainKMeans(space, n, dim, partitionCount, {
          iterations: options.iterations ?? 10,
          seed: options.seed ?? 1,
          sampleSize: options.sampleSize ?? 64 * partitionCount,
        }),
        partitionCount,
        dim,
      );
  const assignment = new Uint32Array(n);
  const partitionRows = new Uint32Array(partitionCount);
  for (let i = 0; i < n; i++) {
    assignment[i] = nearestCentroid(space, i, centroids, partitionCount, dim, prefixNearestCentroid(space, i, centroids, partitionCount, dim, 16));
    partitionRows[assignment[i]!]!++;
  }
  const quantiser = options.quantiser ?? "sq8-residual";
  if (quantiser !== "sq8" && quantiser !== "sq8-residual") throw invalid(`quantiser ${String(quantiser)} must be "sq8" or "sq8-residual"`);
  const coded = quantiser === "sq8" ? space : residuals(space, n, dim, assignment, centroids);
  const { min, step } = trainSq8(coded, n, dim);

  // Rows of each partition in input order (a counting sort, no per-row objects).
  const starts = new Uint32Array(partitionCount + 1);
  for (let p = 0; p < partitionCount; p++) starts[p + 1] = starts[p]! + partitionRows[p]!;
  const cursor = starts.slice(0, partitionCount);
  const ordered = new Uint32Array(n);
  for (let i = 0; i < n; i++) ordered[cursor[assignment[i]!]!++] = i;

  const offsets = new Float64Array(partitionCount + 1);
  for (let p = 0; p < partitionCount; p++) {
    offsets[p + 1] = offsets[p]! + alignPartition(partitionByteLength(partitionRows[p]!, dim, rowIdWidth, hasRefine));
  }
  const data = new Uint8Array(offsets[partitionCount]!);
  const view = new DataView(data.buffer);
  const partitionCrcs = new Uint32Array(partitionCount);
  for (let p = 0; p < partitionCount; p++) {
    const rows = partitionRows[p]!;
    let at = offsets[p]!;
    const start = at;
    for (let r = 0; r < rows; r++, at += rowIdWidth) {
      const row = ordered[starts[p]! + r]!;
      const id = rowIds === undefined ? row : rowIds[row]!;
      if (rowIdWidth === 4) view.setUint32(at, id, true);
      else view.setFloat64(at, id, true);
    }
    if (hasRefine) {
      for (let r = 0; r < rows; r++) {
        const row = ordered[starts[p]! + r]!;
        for (let j = 0; j < dim; j++, at += 4) view.setFloat32(at, space[row * dim + j]!, true);
      }
    }
    for (let r = 0; r < rows; r++, at += dim) encodeSq8Row(coded, ordered[starts[p]! + r]!, dim, min, step, data, at);
    partitionCrcs[p] = crc32c(data, start, at);
  }
  const dataKey = `data-${crc32c(data).toString(16).padStart(8, "0")}`;
  const header = encodeHeader({
    metric,
    dim,
    partitionCount,
    rowCount: n,
    rowIdWidth,
    hasRefine,
    quantiser,
    dataKey,
    dataSize: data.length,
    sqMin: min,
    sqStep: step,
    centroids,
    partitionRows,
    partitionCrcs,
  });
  return { header, data, dataKey };
}

/**
 * Writes a built index under `name`: the data object first, then the header, so a reader that sees
 * the new header always finds its (immutable, content-named) data object.
 */
export async function writeIndex(store: ObjectStore, name: string, built: BuiltIndex): Promise<void> {
  await store.put(`${name}/${built.dataKey}`, built.data);
  await store.put(`${name}/header`, built.header);
}
