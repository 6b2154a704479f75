/**
 * Writes the Lance tables the search section reads, with the real writer (`@lancedb/lancedb`): one
 * fragment of `id` (int32) and `vector` (fixed_size_list<float32, dim>) in Lance's default file
 * version, then an IVF_PQ index with l2 distance.
 */
import * as lancedb from "@lancedb/lancedb";
import * as arrow from "apache-arrow";

/** Index parameters of one table, as passed to `lancedb.Index.ivfPq`. */
export interface IvfPqParameters {
  readonly numPartitions: number;
  readonly numSubVectors: number;
  /** k-means iterations of the IVF training (lancedb's default is 50). */
  readonly maxIterations: number;
  /** Rows sampled per partition to train the IVF centroids (lancedb's default is 256). */
  readonly sampleRate: number;
}

/** A written table and the time lancedb took to write it and to build its index. */
export interface WrittenTable {
  readonly name: string;
  readonly table: lancedb.Table;
  readonly writeMs: number;
  readonly indexMs: number;
}

function vectorTable(vectors: Float32Array, dim: number): arrow.Table {
  const rows = vectors.length / dim;
  const ids = arrow.makeData({ type: new arrow.Int32(), length: rows, data: Int32Array.from({ length: rows }, (_, i) => i) });
  const itemField = new arrow.Field("item", new arrow.Float32(), true);
  const values = arrow.makeData({ type: new arrow.Float32(), length: vectors.length, data: vectors });
  const vectorData = arrow.makeData({ type: new arrow.FixedSizeList(dim, itemField), length: rows, nullCount: 0, child: values });
  const schema = new arrow.Schema([
    new arrow.Field("id", new arrow.Int32(), false),
    new arrow.Field("vector", new arrow.FixedSizeList(dim, itemField), false),
  ]);
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: rows, nullCount: 0, children: [ids, vectorData] });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, struct));
}

/** Writes `vectors` as table `name` in the database at `dir` and builds its IVF_PQ l2 index. */
export async function writeIndexedTable(dir: string, name: string, vectors: Float32Array, dim: number, index: IvfPqParameters): Promise<WrittenTable> {
  const db = await lancedb.connect(dir);
  const started = performance.now();
  const table = await db.createTable(name, vectorTable(vectors, dim));
  const written = performance.now();
  await table.createIndex("vector", { config: lancedb.Index.ivfPq({ ...index, distanceType: "l2" }) });
  return { name, table, writeMs: written - started, indexMs: performance.now() - written };
}
