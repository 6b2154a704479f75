/**
 * The metadata every Lance IVF index file carries, whatever its sub-index (PQ, HNSW+SQ): JSON
 * entries in the file's schema metadata, the IVF protobuf in a global buffer (centroids tensor and
 * partition table), and the distance type. Shared by the IVF_PQ loader and the opt-in IVF_HNSW_SQ
 * loader so both validate these bytes the same way.
 */
import { check, corrupt, unsupported } from "../errors";
import { readGlobalBuffer, type LanceFileMeta } from "../file";
import type { LanceFileReader } from "../file-reader";
import type { FixedColumn } from "../column";
import { parseProto, type ProtoMessage } from "../protobuf";

/** Distance types Lance writes (`distance_type`). */
export type Metric = "l2" | "cosine" | "dot";

/** The schema-metadata entry `key` of an index file, parsed as JSON. */
export function indexJson(file: LanceFileMeta, key: string): unknown {
  const text = file.schema.metadata.get(key);
  if (text === undefined) throw corrupt(`index file ${file.reader.key} has no ${key} metadata`);
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(`index metadata ${key} is not JSON`);
  }
}

/** The IVF protobuf message the `lance:ivf` entry points at (a global buffer index). */
export async function ivfMessage(file: LanceFileMeta): Promise<ProtoMessage> {
  const position = Number(indexJson(file, "lance:ivf"));
  check(Number.isInteger(position) && position > 0 && position < file.globalBuffers.length, "lance:ivf is not a global buffer index");
  return parseProto(await readGlobalBuffer(file, position));
}

/** A float32 tensor message (data type, shape, bytes), its size checked against its shape. */
export function float32Tensor(tensor: ProtoMessage | undefined): { shape: number[]; data: Float32Array } {
  check(tensor !== undefined, "index tensor is missing");
  if (tensor.uint(1) !== 2) throw unsupported(`index tensors of data type ${tensor.uint(1)} (only float32)`);
  const shape = tensor.varints(2);
  const bytes = tensor.bytes(3);
  const n = shape.reduce((a, b) => a * b, 1);
  check(bytes.length === n * 4, "index tensor size differs from its shape");
  return { shape, data: new Float32Array(bytes.slice().buffer) };
}

/** The IVF centroids: a [partitions x dimension] float32 matrix. */
export function centroidsOf(ivf: ProtoMessage): { data: Float32Array; partitions: number; dimension: number } {
  const { shape, data } = float32Tensor(ivf.message(4));
  check(shape.length === 2 && shape[0]! > 0 && shape[1]! > 0, "IVF centroids are not a matrix");
  return { data, partitions: shape[0]!, dimension: shape[1]! };
}

/** The distance type named in `lance:index`. */
export function metricOf(name: unknown): Metric {
  if (name === "l2" || name === "cosine" || name === "dot") return name;
  throw unsupported(`vector distance type ${String(name)}`);
}

/** Partition p is rows [offsets[p], offsets[p] + lengths[p]) of a file holding `rows` rows. */
export function partitionTable(ivf: ProtoMessage, partitions: number, rows: number): { offsets: Uint32Array; lengths: Uint32Array } {
  const offsets = Uint32Array.from(ivf.varints(2));
  const lengths = Uint32Array.from(ivf.varints(3));
  check(offsets.length === partitions && lengths.length === partitions, "IVF partition table has the wrong size");
  for (let p = 0; p < partitions; p++) check(offsets[p]! + lengths[p]! <= rows, "IVF partition lies outside the index rows");
  return { offsets, lengths };
}

/**
 * Rows [from, to) of an IVF auxiliary file, which both sub-indexes lay out the same way: column 0
 * the u64 row addresses (as numbers: refused beyond 2^53), column 1 the u8 codes, `codeWidth` a row.
 */
export async function readAuxRows(aux: LanceFileReader, codeWidth: number, from: number, to: number): Promise<{ rowIds: Float64Array; codes: Uint8Array }> {
  const ids = ((await aux.readRange(0, { kind: "int", bits: 64, signed: false }, from, to)) as FixedColumn).values as BigUint64Array;
  const codeType = { kind: "fixed_size_list", dimension: codeWidth, item: { kind: "int", bits: 8, signed: false } } as const;
  const codes = ((await aux.readRange(1, codeType, from, to)) as FixedColumn).values as Uint8Array;
  const rowIds = new Float64Array(to - from);
  for (let i = 0; i < rowIds.length; i++) {
    const v = ids[i]!;
    check(v < 2n ** 53n, "index row address beyond 2^53");
    rowIds[i] = Number(v);
  }
  return { rowIds, codes };
}

/** Memoises `load` per partition; a failed load is forgotten so the next search retries it. */
export function cachedPartitions<T>(load: (p: number) => Promise<T>): (p: number) => Promise<T> {
  const cache = new Map<number, Promise<T>>();
  return (p) => {
    let hit = cache.get(p);
    if (hit) return hit;
    hit = load(p);
    hit.catch(() => cache.delete(p));
    cache.set(p, hit);
    return hit;
  };
}
