/**
 * Builds a snippet-lance index from a vector column of a Lance dataset (read with
 * @evodb/lance-reader). A separate entry point (`@evodb/snippets-lance/lance`), so a Snippet that only
 * searches never bundles the Lance reader.
 */
import { EvoDBError, type ObjectStore } from "@evodb/core";
import { openDataset, type FixedColumn } from "@evodb/lance-reader";
import { buildIndex, type BuildOptions, type BuiltIndex } from "./build";

/** Options of {@link buildIndexFromLance}: the build options minus what the dataset decides. */
export interface LanceBuildOptions extends Omit<BuildOptions, "dim" | "rowIds"> {
  /** The `fixed_size_list<float32, d>` column to index. */
  column: string;
  /** Dataset version (default the latest). */
  version?: number;
}

/**
 * Reads every non-deleted, non-null vector of `column` and builds an index whose row ids are Lance
 * row addresses (`fragment * 2^32 + offset`, lancedb's `_rowid`), so hits can be fetched with
 * `LanceDataset.take`. Null vectors are left out of the index.
 */
export async function buildIndexFromLance(store: ObjectStore, datasetRoot: string, options: LanceBuildOptions): Promise<BuiltIndex> {
  const { column, version, ...build } = options;
  const dataset = await openDataset(store, datasetRoot, version === undefined ? {} : { version });
  const type = dataset.field(column).type;
  if (type.kind !== "fixed_size_list" || type.item.kind !== "float" || type.item.bits !== 32) {
    throw new EvoDBError("INVALID_ARGUMENT", `column ${column} is not fixed_size_list<float32>; snippets-lance indexes float32 vectors`);
  }
  const batch = await dataset.scan({ columns: [column] });
  const vectorsColumn = batch.columns[column] as FixedColumn;
  const dim = type.dimension;
  const values = vectorsColumn.values as Float32Array;
  const validity = vectorsColumn.validity;
  if (validity === null) return buildIndex(values, { ...build, dim, rowIds: batch.rowIds });
  let kept = 0;
  for (let i = 0; i < batch.length; i++) if (validity[i] !== 0) kept++;
  const vectors = new Float32Array(kept * dim);
  const rowIds = new Float64Array(kept);
  for (let i = 0, at = 0; i < batch.length; i++) {
    if (validity[i] === 0) continue;
    vectors.set(values.subarray(i * dim, i * dim + dim), at * dim);
    rowIds[at++] = batch.rowIds[i]!;
  }
  return buildIndex(vectors, { ...build, dim, rowIds });
}
