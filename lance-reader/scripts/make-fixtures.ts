/**
 * Writes the Lance datasets the tests read, using the real writer (`@lancedb/lancedb` 0.37.1, which
 * bundles a lance that writes file versions legacy/0.1, 2.0, 2.1 (its default) and 2.2).
 *
 * Run: `tsx lance-reader/scripts/make-fixtures.ts <dir>`; the vitest globalSetup calls
 * {@link makeFixtures} into a temporary folder. The data are seeded, so a run is reproducible
 * except for index training (lance's k-means samples randomly): tests therefore always compare with
 * lancedb querying the very same files, never with stored answers.
 */
import { mkdirSync, writeFileSync, existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import * as arrow from "apache-arrow";
import { Random } from "@evodb/test-utils";

/** Bump when the fixture set changes so cached folders are rebuilt. */
export const FIXTURE_VERSION = 7;

/** The file versions written for the per-type tables. */
export const TYPE_VERSIONS = ["legacy", "2.0", "2.1", "2.2"] as const;
/** The file versions written for the long-strings tables (legacy has no FSST/full-zip). */
export const STRING_VERSIONS = ["2.0", "2.1", "2.2"] as const;

/** Table name for a file version, e.g. `types_v2_1`. */
export function tableName(kind: string, version: string): string {
  return `${kind}_v${version.replace(".", "_")}`;
}

/** Vector sizes of the ANN tables. */
export const ANN_ROWS = 20_000;
export const ANN_DIM = 128;
/** Rows appended after the index was built: an unindexed fragment that search must scan exactly. */
export const ANN_APPENDED = 300;

const WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];

function gaussian(rng: Random): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Embedding-like vectors: a random linear map of a 16-dimensional Gaussian latent into `dim`
 * dimensions plus a little noise, so that neighbours are meaningful (on isotropic noise no ANN
 * index reaches a useful recall). `spaceSeed` fixes the map, `sampleSeed` the rows; row r depends
 * only on the seeds and r, so tests can regenerate any table row or draw fresh queries.
 */
export function makeVectors(spaceSeed: number, sampleSeed: number, rows: number, dim: number): Float32Array {
  const latent = 16;
  const space = new Random(spaceSeed);
  const map = new Float32Array(latent * dim);
  for (let i = 0; i < map.length; i++) map[i] = gaussian(space) / Math.sqrt(latent);
  const rng = new Random(sampleSeed);
  const z = new Float64Array(latent);
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    for (let l = 0; l < latent; l++) z[l] = gaussian(rng);
    for (let d = 0; d < dim; d++) {
      let s = 0;
      for (let l = 0; l < latent; l++) s += map[l * dim + d]! * z[l]!;
      out[r * dim + d] = s + 0.05 * gaussian(rng);
    }
  }
  return out;
}

/** Seeds of the ANN tables: [space, rows, appended rows]. Queries use the space seed with other sample seeds. */
export const ANN_SEEDS = { ann_l2: [21, 22, 23], ann_cosine: [31, 32, 33], ann_dot: [41, 42, 43] } as const;

/** IVF_HNSW_SQ tables: seeds [space, rows, appended rows], rows, dimension, partitions, file version, metric. */
export const HNSW_TABLES = {
  hnsw_l2: { seeds: [51, 52, 53], rows: 10_000, dim: 64, partitions: 4, version: "2.2", metric: "l2" },
  hnsw_cosine: { seeds: [61, 62, 63], rows: 6_000, dim: 32, partitions: 2, version: "2.1", metric: "cosine" },
  hnsw_dot: { seeds: [81, 82, 83], rows: 4_000, dim: 32, partitions: 2, version: "2.2", metric: "dot" },
  // File version 2.0 index files store the graph lists as a list column plus an item column.
  hnsw_v2_0: { seeds: [91, 92, 93], rows: 3_000, dim: 16, partitions: 2, version: "2.0", metric: "l2" },
} as const;
/** Rows appended to hnsw_l2 after its index was built (an unindexed fragment). */
export const HNSW_APPENDED = 200;

function fslData(values: Float32Array, dim: number, valid?: boolean[]): arrow.Data {
  const rows = values.length / dim;
  const type = new arrow.FixedSizeList(dim, new arrow.Field("item", new arrow.Float32(), true));
  const child = arrow.makeData({ type: new arrow.Float32(), length: values.length, data: values });
  if (!valid) return arrow.makeData({ type, length: rows, nullCount: 0, child });
  const bitmap = new Uint8Array(Math.ceil(rows / 8));
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    if (valid[i]) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return arrow.makeData({ type, length: rows, nullCount: nulls, nullBitmap: bitmap, child });
}

function column(name: string, type: arrow.DataType, values: unknown[], nullable = true): [arrow.Field, arrow.Data] {
  const vector = arrow.vectorFromArray(values, type);
  return [new arrow.Field(name, type, nullable), vector.data[0]!];
}

function makeTable(columns: [arrow.Field, arrow.Data][]): arrow.Table {
  const schema = new arrow.Schema(columns.map((c) => c[0]));
  const length = columns[0]![1].length;
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children: columns.map((c) => c[1]) });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, struct));
}

/** One column of every supported type, nulls in each, 3,000 rows (several mini-block chunks). */
export function makeTypesTable(rows = 3000): arrow.Table {
  const rng = new Random(7);
  const nullOr = <T>(v: T): T | null => (rng.chance(0.12) ? null : v);
  const ints = (bits: number, signed: boolean) =>
    Array.from({ length: rows }, () => {
      const span = 2 ** bits;
      const v = rng.int(0, 2 ** Math.min(bits, 32) - 1) * (bits > 32 ? 2 ** (bits - 32) : 1);
      return nullOr(signed ? v - span / 2 : v);
    });
  const big = (signed: boolean) =>
    Array.from({ length: rows }, (_, i) => {
      // Values well beyond 2^53 (and the extremes) so rounding would show.
      const hi = BigInt(rng.nextUint32()), lo = BigInt(rng.nextUint32());
      let v = (hi << 32n) | lo;
      if (i === 1) v = signed ? 0x7fffffffffffffffn : 0xffffffffffffffffn;
      if (i === 2) v = signed ? -0x8000000000000000n : 0n;
      if (i === 3) v = 9007199254740993n;
      if (signed && i > 3) v = BigInt.asIntN(64, v);
      return i < 4 ? v : nullOr(v);
    });
  const vecValid = Array.from({ length: rows }, () => !rng.chance(0.1));
  const vec = new Float32Array(rows * 8);
  for (let i = 0; i < vec.length; i++) vec[i] = vecValid[Math.floor(i / 8)] ? rng.next() * 2 - 1 : 0;
  const bytes = (n: number) => rng.bytes(n);
  return makeTable([
    column("id", new arrow.Int64(), Array.from({ length: rows }, (_, i) => BigInt(i)), false),
    column("i8", new arrow.Int8(), ints(8, true).map((v) => (v === null ? null : Math.max(-128, Math.min(127, v))))),
    column("i16", new arrow.Int16(), ints(16, true)),
    column("i32", new arrow.Int32(), ints(32, true)),
    column("i64", new arrow.Int64(), big(true)),
    column("u8", new arrow.Uint8(), ints(8, false)),
    column("u16", new arrow.Uint16(), ints(16, false)),
    column("u32", new arrow.Uint32(), ints(32, false)),
    column("u64", new arrow.Uint64(), big(false)),
    column("f32", new arrow.Float32(), Array.from({ length: rows }, () => nullOr(Math.fround(rng.next() * 1000 - 500)))),
    column("f64", new arrow.Float64(), Array.from({ length: rows }, () => nullOr(rng.next() * 1e9 - 5e8))),
    column("flag", new arrow.Bool(), Array.from({ length: rows }, () => nullOr(rng.chance(0.5)))),
    column("name", new arrow.Utf8(), Array.from({ length: rows }, (_, i) => nullOr(`${rng.pick(WORDS)}-${i}-é`))),
    column("blob", new arrow.Binary(), Array.from({ length: rows }, () => nullOr(bytes(rng.int(0, 20))))),
    column("category", new arrow.Utf8(), Array.from({ length: rows }, () => nullOr(rng.pick(["red", "green", "blue", "cyan"])))),
    column("empty", new arrow.Int32(), Array.from({ length: rows }, () => null)),
    [new arrow.Field("vec", new arrow.FixedSizeList(8, new arrow.Field("item", new arrow.Float32(), true)), true), fslData(vec, 8, vecValid)],
  ]);
}

/** 20,000 rows of short repetitive strings (FSST mini-block) and ~400-byte strings (full-zip). */
export function makeStringsTable(rows = 20_000): arrow.Table {
  const rng = new Random(11);
  const short = Array.from({ length: rows }, (_, i) => (rng.chance(0.05) ? null : `${rng.pick(WORDS)} ${rng.pick(WORDS)} #${i % 977}`));
  const long = Array.from({ length: rows }, (_, i) => {
    if (rng.chance(0.05)) return null;
    const parts: string[] = [`row ${i}:`];
    while (parts.join(" ").length < 300 + (i % 200)) parts.push(rng.pick(WORDS));
    return parts.join(" ");
  });
  return makeTable([
    column("id", new arrow.Int64(), Array.from({ length: rows }, (_, i) => BigInt(i)), false),
    column("short", new arrow.Utf8(), short),
    column("long", new arrow.Utf8(), long),
  ]);
}

function annTable(vectors: Float32Array, dim: number, firstId: number): arrow.Table {
  const rows = vectors.length / dim;
  return makeTable([
    column("id", new arrow.Int32(), Array.from({ length: rows }, (_, i) => firstId + i), false),
    column("bucket", new arrow.Int32(), Array.from({ length: rows }, (_, i) => (firstId + i) % 10), false),
    [new arrow.Field("vector", new arrow.FixedSizeList(dim, new arrow.Field("item", new arrow.Float32(), true)), false), fslData(vectors, dim)],
  ]);
}

/** Timings of the last {@link makeFixtures} run, in milliseconds, by step. */
export type FixtureTimings = Record<string, number>;

/**
 * Writes every fixture dataset under `target` (skipped when `target/.done-v{FIXTURE_VERSION}` exists).
 * Returns how long each step took.
 */
export async function makeFixtures(target: string): Promise<FixtureTimings> {
  const markerName = `.done-v${FIXTURE_VERSION}`;
  if (existsSync(join(target, markerName))) return {};
  // Written into a private folder and renamed into place, so concurrent runs never see half a set.
  const dir = `${target}.tmp-${process.pid}`;
  const marker = join(dir, markerName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const timings: FixtureTimings = {};
  const timed = async (step: string, work: () => Promise<void>) => {
    const t0 = performance.now();
    await work();
    timings[step] = Math.round(performance.now() - t0);
  };
  const db = await lancedb.connect(dir);
  const storage = (version: string, extra: Record<string, string> = {}) => ({
    mode: "overwrite" as const,
    storageOptions: { new_table_data_storage_version: version, ...extra },
  });

  await timed("types", async () => {
    const data = makeTypesTable();
    for (const v of TYPE_VERSIONS) await db.createTable(tableName("types", v), data, storage(v));
  });
  await timed("strings", async () => {
    const data = makeStringsTable();
    for (const v of STRING_VERSIONS) await db.createTable(tableName("strings", v), data, storage(v));
  });
  await timed("versions", async () => {
    // Three versions with deletes, once per manifest naming scheme: v1 create, v2 append,
    // v3 delete many rows (bitmap deletion file), v4 delete a few (arrow deletion file).
    for (const [name, v2Paths] of [["versions", "true"], ["versions_v1names", "false"]] as const) {
      const first = makeTable([column("id", new arrow.Int64(), Array.from({ length: 1000 }, (_, i) => BigInt(i)), false), column("value", new arrow.Float64(), Array.from({ length: 1000 }, (_, i) => i * 0.5))]);
      const second = makeTable([column("id", new arrow.Int64(), Array.from({ length: 500 }, (_, i) => BigInt(1000 + i)), false), column("value", new arrow.Float64(), Array.from({ length: 500 }, (_, i) => (1000 + i) * 0.5))]);
      const table = await db.createTable(name, first, storage("2.2", { new_table_enable_v2_manifest_paths: v2Paths }));
      await table.add(second);
      await table.delete("id % 7 = 0");
      await table.delete("id IN (1, 2, 1001)");
    }
    // Many deletions in one fragment, in case the writer switches to a roaring bitmap file.
    const many = await db.createTable("deletes_many", makeTable([column("id", new arrow.Int64(), Array.from({ length: 20_000 }, (_, i) => BigInt(i)), false)]), storage("2.2"));
    await many.delete("id % 3 != 0");
  });
  await timed("ann_l2", async () => {
    const [space, rows, appended] = ANN_SEEDS.ann_l2;
    const table = await db.createTable("ann_l2", annTable(makeVectors(space, rows, ANN_ROWS, ANN_DIM), ANN_DIM, 0), storage("2.2"));
    await table.createIndex("vector", { config: lancedb.Index.ivfPq({ numPartitions: 64, numSubVectors: 16, distanceType: "l2" }) });
    await table.add(annTable(makeVectors(space, appended, ANN_APPENDED, ANN_DIM), ANN_DIM, ANN_ROWS));
    await table.delete("id % 1000 = 5");
  });
  await timed("ann_cosine", async () => {
    const [space, rows] = ANN_SEEDS.ann_cosine;
    const table = await db.createTable("ann_cosine", annTable(makeVectors(space, rows, ANN_ROWS, ANN_DIM), ANN_DIM, 0), storage("2.1"));
    await table.createIndex("vector", { config: lancedb.Index.ivfPq({ numPartitions: 64, numSubVectors: 16, distanceType: "cosine" }) });
  });
  await timed("ann_dot", async () => {
    const [space, rows] = ANN_SEEDS.ann_dot;
    const table = await db.createTable("ann_dot", annTable(makeVectors(space, rows, 4000, 32), 32, 0), storage("2.2"));
    await table.createIndex("vector", { config: lancedb.Index.ivfPq({ numPartitions: 16, numSubVectors: 4, distanceType: "dot" }) });
  });
  await timed("hnsw", async () => {
    // hnsw_l2 also gets an unindexed fragment and deletions, as ann_l2 does.
    for (const [name, t] of Object.entries(HNSW_TABLES)) {
      const [space, rows, appended] = t.seeds;
      const table = await db.createTable(name, annTable(makeVectors(space, rows, t.rows, t.dim), t.dim, 0), storage(t.version));
      await table.createIndex("vector", { config: lancedb.Index.hnswSq({ numPartitions: t.partitions, distanceType: t.metric }) });
      if (name === "hnsw_l2") {
        await table.add(annTable(makeVectors(space, appended, HNSW_APPENDED, t.dim), t.dim, t.rows));
        await table.delete("id % 1000 = 7");
      }
    }
    // An index type this reader does not search (IVF_FLAT), to check the error it gives.
    const flat = await db.createTable("ivf_flat", annTable(makeVectors(71, 72, 1000, 8), 8, 0), storage("2.2"));
    await flat.createIndex("vector", { config: lancedb.Index.ivfFlat({ numPartitions: 2 }) });
  });
  writeFileSync(marker, JSON.stringify(timings));
  if (existsSync(join(target, markerName))) rmSync(dir, { recursive: true, force: true });
  else {
    rmSync(target, { recursive: true, force: true });
    renameSync(dir, target);
  }
  return timings;
}

if (process.argv[1] && /make-fixtures\.ts$/.test(process.argv[1])) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: tsx make-fixtures.ts <dir>");
  const t0 = performance.now();
  const timings = await makeFixtures(dir);
  console.log(JSON.stringify({ ...timings, totalMs: Math.round(performance.now() - t0) }));
}
