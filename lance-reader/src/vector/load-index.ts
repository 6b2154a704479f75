/**
 * Opens a vector index by its type (`lance:index` in `index.idx`). IVF_PQ (ivf-pq.ts) is built in;
 * other types come from opt-in entries the caller passes to the searcher (IVF_HNSW_SQ:
 * `@evodb/lance-reader/hnsw`), so the main entry's bundle carries no graph search it may never
 * use. An index of a type nobody provided is refused with UNSUPPORTED_FEATURE.
 */
import { EvoDBError, type ObjectStore } from "@evodb/core";
import { unsupported } from "../errors";
import { openLanceFile, type LanceFileMeta } from "../file";
import { RangeReader } from "../io";
import type { IndexEntry } from "../manifest";
import { indexJson } from "./ivf-meta";
import { loadIvfPq, type IvfPqIndex, type Metric } from "./ivf-pq";
import type { TopK } from "./top-k";

/** One query as an opt-in index type receives it (see {@link LoadedVectorIndex.search}). */
export interface IndexQuery {
  readonly query: Float32Array;
  /** Candidates wanted: k times the refine factor. */
  readonly k: number;
  readonly nprobes: number;
  /** Beam width asked for, if any (IVF_HNSW_SQ `ef`). */
  readonly ef: number | undefined;
  /** Receives (distance, row address) pairs. */
  readonly candidates: TopK;
  /** Rows of a partition that may be returned (1 = allowed), null when all may. */
  readonly allowed: (partition: { readonly rowIds: Float64Array }) => Uint8Array | null;
}

/** An index of an opt-in type, loaded and ready to search. */
export interface LoadedVectorIndex {
  /** The `lance:index` type, e.g. "IVF_HNSW_SQ". */
  readonly type: string;
  readonly metric: Metric;
  /** Fragment ids the index covers. */
  readonly fragments: Set<number>;
  /** Offers the query's best candidates of this index to `request.candidates`. */
  search(request: IndexQuery): Promise<void>;
}

/** A vector index type outside the main entry, passed to `new VectorSearcher(dataset, { indexTypes })`. */
export interface VectorIndexType {
  /** The `lance:index` type it reads, e.g. "IVF_HNSW_SQ". */
  readonly type: string;
  /** Loads index `entry` of the dataset at `root`; `indexFile` is its opened `index.idx`. */
  load(store: ObjectStore, root: string, entry: IndexEntry, indexFile: LanceFileMeta): Promise<LoadedVectorIndex>;
}

/** A loaded vector index: IVF_PQ (built in) or one of an opt-in type. */
export type VectorIndex = IvfPqIndex | LoadedVectorIndex;

/** Where the opt-in index types known to this package live, for the error naming them. */
const OPT_IN_ENTRIES: Record<string, string> = { IVF_HNSW_SQ: "ivfHnswSq from @evodb/lance-reader/hnsw" };

/** Loads the index `entry` of the dataset rooted at `root`; `types` are the opt-in index types the caller provided. */
export async function loadVectorIndex(store: ObjectStore, root: string, entry: IndexEntry, eagerBytes: number | undefined, types: readonly VectorIndexType[] = []): Promise<VectorIndex> {
  const indexFile = await openLanceFile(await RangeReader.open(store, `${root}_indices/${entry.uuid}/index.idx`));
  const type = (indexJson(indexFile, "lance:index") as { type?: unknown } | null)?.type;
  if (type === "IVF_PQ") return loadIvfPq(store, root, entry, eagerBytes);
  const provided = types.find((t) => t.type === type);
  if (provided) return provided.load(store, root, entry, indexFile);
  const entryPoint = typeof type === "string" ? OPT_IN_ENTRIES[type] : undefined;
  if (entryPoint !== undefined) {
    throw new EvoDBError(
      "UNSUPPORTED_FEATURE",
      `vector index ${entry.name} is ${String(type)}, whose search is an opt-in entry point: import ${entryPoint} and pass it as new VectorSearcher(dataset, { indexTypes: [...] }), or search with useIndex: false`,
      { details: { index: entry.name, type } },
    );
  }
  throw unsupported(`vector index type ${String(type)} (IVF_PQ, and IVF_HNSW_SQ through @evodb/lance-reader/hnsw, are supported)`, { index: entry.name });
}
