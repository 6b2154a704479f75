/**
 * Opens a vector index by its type (`lance:index` in `index.idx`): IVF_PQ (ivf-pq.ts) or
 * IVF_HNSW_SQ (ivf-hnsw-sq.ts); any other type is refused with UNSUPPORTED_FEATURE.
 */
import type { ObjectStore } from "@evodb/core";
import { unsupported } from "../errors";
import { openLanceFile } from "../file";
import { RangeReader } from "../io";
import type { IndexEntry } from "../manifest";
import { indexJson, loadIvfHnswSq, type IvfHnswSqIndex } from "./ivf-hnsw-sq";
import { loadIvfPq, type IvfPqIndex } from "./ivf-pq";

/** A loaded vector index of a supported type. */
export type VectorIndex = IvfPqIndex | IvfHnswSqIndex;

/** Loads the index `entry` of the dataset rooted at `root`. */
export async function loadVectorIndex(store: ObjectStore, root: string, entry: IndexEntry, eagerBytes?: number): Promise<VectorIndex> {
  const indexFile = await openLanceFile(await RangeReader.open(store, `${root}_indices/${entry.uuid}/index.idx`));
  const type = (indexJson(indexFile, "lance:index") as { type?: unknown } | null)?.type;
  if (type === "IVF_PQ") return loadIvfPq(store, root, entry, eagerBytes);
  if (type === "IVF_HNSW_SQ") return loadIvfHnswSq(store, root, entry, indexFile);
  throw unsupported(`vector index type ${String(type)} (IVF_PQ and IVF_HNSW_SQ are supported)`, { index: entry.name });
}
