/**
 * Loads and searches a Lance IVF_HNSW_SQ vector index (index format v3, two Lance files under
 * `_indices/<uuid>/`):
 * - `index.idx`: `lance:index` = {"type":"IVF_HNSW_SQ","distance_type"}; `lance:ivf` names the
 *   global buffer with the IVF message (centroids [P, D]; offsets/lengths = each partition's rows
 *   in this file); `lance:hnsw` = one JSON string per partition with `entry_point`,
 *   `params.max_level` and `level_offsets` (relative to the partition's first row); columns
 *   `__vector_id` u32 and `__neighbors` list<u32> (`_distance` list<f32> is not needed to search).
 * - `auxiliary.idx`: columns `_rowid` u64 and `__sq_code` fsl<u8, D>; its IVF message gives each
 *   partition's rows; node i of partition p is row `offsets[p] + i`; `storage_metadata` holds the
 *   SQ8 parameters (see sq.ts).
 * A query probes the `nprobes` partitions nearest to the centroids (L2, the query normalised for
 * cosine; 1 - dot for dot), searches each partition's graph with beam width `ef` (default k + k/2, k including the
 * refine factor, as Lance) and merges the partitions' k best by SQ distance.
 */
import type { ObjectStore } from "@evodb/core";
import { check, corrupt } from "../errors";
import { openLanceFile, type LanceFileMeta } from "../file";
import { LanceFileReader } from "../file-reader";
import { RangeReader } from "../io";
import type { FixedColumn } from "../column";
import { readRoaring } from "../roaring";
import type { IndexEntry } from "../manifest";
import { MAX_FRAGMENT_ID } from "../fragment";
import { listsInTwoColumns, readU32ListColumn, sliceLists, type U32Lists } from "../codec/list21";
import { buildGraph, HnswSearchState, searchHnsw, type HnswGraph } from "./hnsw";
import { dot, l2 } from "./kernels";
import { parseSqParams, quantize, sqDot, sqL2, type SqParams } from "./sq";
import { cachedPartitions, centroidsOf, indexJson, ivfMessage, metricOf, partitionTable, readAuxRows, type Metric } from "./ivf-meta";
import type { TopK } from "./top-k";

/** Row addresses and SQ codes (D bytes per row) of one partition, plus its graph. */
export interface HnswSqPartition {
  readonly rowIds: Float64Array;
  readonly codes: Uint8Array;
  readonly graph: HnswGraph;
}

/** An IVF_HNSW_SQ index: centroids and SQ parameters in memory, partitions loaded on demand. */
export interface IvfHnswSqIndex {
  readonly kind: "IVF_HNSW_SQ";
  readonly metric: Metric;
  readonly dimension: number;
  readonly numPartitions: number;
  /** [P * D] centroids. */
  readonly centroids: Float32Array;
  readonly sq: SqParams;
  /** Rows of each partition. */
  readonly lengths: Uint32Array;
  /** Loads (once) the row addresses, codes and graph of partition p. */
  partition(p: number): Promise<HnswSqPartition>;
  /** Fragment ids the index covers. */
  readonly fragments: Set<number>;
}






interface HnswMeta {
  levelOffsets: number[];
  maxLevel: number;
}

function hnswMeta(text: unknown): HnswMeta {
  check(typeof text === "string", "lance:hnsw entries must be JSON strings");
  let meta: { level_offsets?: unknown; params?: { max_level?: unknown } };
  try {
    meta = JSON.parse(text) as typeof meta;
  } catch {
    throw corrupt("a lance:hnsw entry is not JSON");
  }
  const offsets = meta?.level_offsets;
  const maxLevel = meta?.params?.max_level;
  check(Array.isArray(offsets) && offsets.every((o) => typeof o === "number"), "lance:hnsw level_offsets is not a list of numbers");
  check(typeof maxLevel === "number" && Number.isInteger(maxLevel) && maxLevel >= 1, "lance:hnsw max_level is not a positive integer");
  return { levelOffsets: offsets as number[], maxLevel };
}

/**
 * Loads the IVF_HNSW_SQ index `entry`; `indexFile` is its already opened `index.idx` (the caller
 * read its type from it).
 */
export async function loadIvfHnswSq(store: ObjectStore, root: string, entry: IndexEntry, indexFile: LanceFileMeta): Promise<IvfHnswSqIndex> {
  const dir = `${root}_indices/${entry.uuid}/`;
  const details = indexJson(indexFile, "lance:index") as { type?: string; distance_type?: string };
  check(details?.type === "IVF_HNSW_SQ", "index is not IVF_HNSW_SQ");
  const metric = metricOf(details.distance_type);
  const ivf = await ivfMessage(indexFile);
  const centroids = centroidsOf(ivf);
  const { partitions: numPartitions, dimension } = centroids;
  const graphRows = partitionTable(ivf, numPartitions, indexFile.numRows);
  const hnsw = indexJson(indexFile, "lance:hnsw");
  check(Array.isArray(hnsw) && hnsw.length === numPartitions, "lance:hnsw has one entry per partition");
  const metas = hnsw.map(hnswMeta);
  // The writer stores a few more rows than the level offsets count (the entry node's upper levels);
  // Lance's loader slices the levels by the offsets alone, and so does this reader.
  metas.forEach((m, p) => check(m.levelOffsets[m.levelOffsets.length - 1]! <= graphRows.lengths[p]!, "HNSW levels lie outside the partition's index rows"));

  const auxFile = await openLanceFile(await RangeReader.open(store, `${dir}auxiliary.idx`));
  const storage = indexJson(auxFile, "storage_metadata");
  check(Array.isArray(storage) && typeof storage[0] === "string", "storage_metadata is not a JSON array of strings");
  const sq = parseSqParams(storage[0]);
  check(sq.dimension === dimension, "SQ dimension differs from the centroids");
  const aux = partitionTable(await ivfMessage(auxFile), numPartitions, auxFile.numRows);
  for (let p = 0; p < numPartitions; p++) check(metas[p]!.levelOffsets[1] === aux.lengths[p] || aux.lengths[p] === 0, "HNSW level 0 differs in size from the partition's SQ rows");
  check(auxFile.schema.fields.length >= 2 && indexFile.schema.fields.length >= 2, "index files lack their columns");

  const auxReader = new LanceFileReader(auxFile);
  const graphReader = new LanceFileReader(indexFile);
  // A partition's graph rows: in 2.1/2.2 files only the pages overlapping them (lists cross
  // mini-block chunks, so pages are decoded whole); a 2.0 list column is read whole, once.
  let whole20: Promise<U32Lists> | null = null;
  const graphRowsOf = async (p: number): Promise<{ ids: Uint32Array; lists: U32Lists }> => {
    const from = graphRows.offsets[p]!;
    const to = from + graphRows.lengths[p]!;
    const ids = ((await graphReader.readRange(0, { kind: "int", bits: 32, signed: false }, from, to)) as FixedColumn).values as Uint32Array;
    if (!listsInTwoColumns(indexFile)) return { ids, lists: await readU32ListColumn(indexFile, 1, from, to) };
    whole20 ??= readU32ListColumn(indexFile, 1);
    whole20.catch(() => (whole20 = null));
    return { ids, lists: sliceLists(await whole20, from, to) };
  };
  const partition = cachedPartitions(async (p): Promise<HnswSqPartition> => {
    const from = aux.offsets[p]!;
    const { rowIds, codes } = await readAuxRows(auxReader, dimension, from, from + aux.lengths[p]!);
    const { ids: nodes, lists } = await graphRowsOf(p);
    const graph = buildGraph(nodes, lists.offsets, lists.values, 0, metas[p]!.levelOffsets, metas[p]!.maxLevel);
    check(graph.numNodes === rowIds.length, "HNSW graph and SQ storage differ in size");
    return { rowIds, codes, graph };
  });
  return {
    kind: "IVF_HNSW_SQ",
    metric,
    dimension,
    numPartitions,
    centroids: centroids.data,
    sq,
    lengths: aux.lengths,
    partition,
    fragments: new Set(readRoaring(entry.fragmentBitmap, MAX_FRAGMENT_ID)),
  };
}

/** Per-index scratch buffers reused between queries. */
export class HnswSqSearcher {
  private readonly state = new HnswSearchState();
  private readonly query: Float32Array;
  private readonly code: Uint8Array;

  constructor(readonly index: IvfHnswSqIndex) {
    this.query = new Float32Array(index.dimension);
    this.code = new Uint8Array(index.dimension);
  }

  /**
   * Searches the `nprobes` nearest partitions, each for its `k` best nodes with beam width `ef`,
   * and offers them to `heap` (SQ distances). `allowed(partition)` gives the rows that may be
   * returned (null: all).
   */
  async search(query: Float32Array, k: number, nprobes: number, ef: number, heap: TopK, probes: TopK, allowed: (part: HnswSqPartition) => Uint8Array | null): Promise<void> {
    const { dimension: d, centroids, numPartitions, sq } = this.index;
    const q = this.query;
    q.set(query);
    // Cosine indices hold normalised vectors (trained and quantised with L2); so is the query.
    if (this.index.metric === "cosine") {
      const n = Math.sqrt(dot(q, 0, q, 0, d));
      if (n > 0) for (let i = 0; i < d; i++) q[i] = q[i]! / n;
    }
    const dotIndex = this.index.metric === "dot";
    for (let p = 0; p < numPartitions; p++) probes.push(dotIndex ? 1 - dot(q, 0, centroids, p * d, d) : l2(q, 0, centroids, p * d, d), p);
    quantize(sq, q, this.code);
    let querySum = 0;
    for (let i = 0; i < d; i++) querySum += q[i]!;
    const code = this.code;
    const order = probes.sorted().ids;
    for (let i = 0; i < Math.min(nprobes, order.length); i++) {
      const p = order[i]!;
      if (this.index.lengths[p] === 0) continue;
      const part = await this.index.partition(p);
      const codes = part.codes;
      const distance = dotIndex ? (id: number) => sqDot(sq, q, querySum, codes, id) : (id: number) => sqL2(sq, code, codes, id);
      const found = searchHnsw(part.graph, distance, k, ef, allowed(part), this.state);
      for (let j = 0; j < found.ids.length; j++) heap.push(found.distances[j]!, part.rowIds[found.ids[j]!]!);
    }
  }
}
