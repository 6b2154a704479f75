/**
 * Loads a Lance IVF_PQ vector index (index format v3): two Lance files under `_indices/<uuid>/`.
 * - `index.idx`: schema metadata `lance:index` = {"type","distance_type"}; `lance:ivf` names the
 *   global buffer holding `lance.index.pb.IVF` with the centroids tensor [P, D].
 * - `auxiliary.idx`: columns `_rowid` (u64 row addresses) and `__pq_code` (fsl<u8, m>); its IVF
 *   message gives each partition's row range; `storage_metadata` gives the PQ parameters and the
 *   global buffer of the codebook, laid out sub-vector-major (codeword c of sub-vector j at
 *   `(j*K + c) * D/m`). With `transposed: true` the codes of a partition are column-major.
 */
import type { ObjectStore } from "@evodb/core";
import { check, unsupported } from "../errors";
import { openLanceFile, readGlobalBuffer } from "../file";
import { LanceFileReader } from "../file-reader";
import { RangeReader } from "../io";
import { parseProto } from "../protobuf";
import { readRoaring } from "../roaring";
import type { IndexEntry } from "../manifest";
import { MAX_FRAGMENT_ID } from "../fragment";
import { cachedPartitions, centroidsOf, float32Tensor, indexJson, ivfMessage, metricOf, partitionTable, readAuxRows, type Metric } from "./ivf-meta";

export type { Metric } from "./ivf-meta";

/** Distance metrics as Lance defines them: squared L2, 1 - cosine similarity, 1 - dot product. */


/** Row addresses and PQ codes (`m` bytes per row) of one partition. */
export interface IvfPartition {
  readonly rowIds: Float64Array;
  readonly codes: Uint8Array;
}

/**
 * Default size up to which an auxiliary file is read whole on first use (one or two requests);
 * larger ones are read partition by partition, fetching only the mini-block chunks that hold the
 * probed partitions.
 */
export const EAGER_AUX_BYTES = 4 * 1024 * 1024;

/** An IVF_PQ index: centroids and codebook in memory, partitions loaded on demand (~m + 8 bytes per vector). */
export interface IvfPqIndex {
  readonly metric: Metric;
  readonly dimension: number;
  readonly numPartitions: number;
  /** [P * D] centroids. */
  readonly centroids: Float32Array;
  /** Partition p is rows [offsets[p], offsets[p] + lengths[p]) of the code and row-id arrays. */
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  readonly numSubVectors: number;
  readonly numBits: number;
  /** [m * 2^nbits * D/m] codebook, sub-vector-major. */
  readonly codebook: Float32Array;
  /** Codes are column-major within each partition (sub-vector j of row i at `j * len + i`). */
  readonly transposed: boolean;
  /** Loads (once) the row addresses and PQ codes of partition p. */
  partition(p: number): Promise<IvfPartition>;
  /** Fragment ids the index covers. */
  readonly fragments: Set<number>;
}





/** Loads the index `entry` of the dataset rooted at `root`. */
export async function loadIvfPq(store: ObjectStore, root: string, entry: IndexEntry, eagerBytes = EAGER_AUX_BYTES): Promise<IvfPqIndex> {
  const dir = `${root}_indices/${entry.uuid}/`;
  const indexFile = await openLanceFile(await RangeReader.open(store, `${dir}index.idx`));
  const details = indexJson(indexFile, "lance:index") as { type?: string; distance_type?: string };
  if (details.type !== "IVF_PQ") throw unsupported(`vector index type ${details.type} (IVF_PQ is supported)`);
  const metric = metricOf(details.distance_type);
  const centroids = centroidsOf(await ivfMessage(indexFile));
  const { partitions: numPartitions, dimension } = centroids;

  const auxFile = await openLanceFile(await RangeReader.open(store, `${dir}auxiliary.idx`));
  const storage = indexJson(auxFile, "storage_metadata") as string[];
  check(Array.isArray(storage) && typeof storage[0] === "string", "storage_metadata is not a JSON array of strings");
  const pq = JSON.parse(storage[0]) as { codebook_position: number; nbits: number; num_sub_vectors: number; dimension: number; transposed?: boolean };
  if (pq.nbits !== 8) throw unsupported(`${pq.nbits}-bit PQ codes (8-bit is supported)`);
  const m = pq.num_sub_vectors;
  check(pq.dimension === dimension && m > 0 && dimension % m === 0, "PQ parameters disagree with the centroids");
  const codebook = float32Tensor(parseProto(await readGlobalBuffer(auxFile, pq.codebook_position)));
  check(codebook.data.length === 256 * dimension, "PQ codebook has the wrong size");
  const aux = new LanceFileReader(auxFile);
  const rows = aux.numRows;
  const { offsets, lengths } = partitionTable(await ivfMessage(auxFile), numPartitions, rows);
  const readRows = (from: number, to: number): Promise<IvfPartition> => readAuxRows(aux, m, from, to);
  let whole: Promise<IvfPartition> | null = null;
  const partition = cachedPartitions((p): Promise<IvfPartition> => {
    const from = offsets[p]!;
    const to = from + lengths[p]!;
    if (auxFile.reader.size > eagerBytes) return readRows(from, to);
    whole ??= readRows(0, rows);
    return whole.then((all) => ({ rowIds: all.rowIds.subarray(from, to), codes: all.codes.subarray(from * m, to * m) }));
  });
  return {
    metric,
    dimension,
    numPartitions,
    centroids: centroids.data,
    offsets,
    lengths,
    numSubVectors: m,
    numBits: 8,
    codebook: codebook.data,
    transposed: pq.transposed !== false,
    partition,
    fragments: new Set(readRoaring(entry.fragmentBitmap, MAX_FRAGMENT_ID)),
  };
}
