/**
 * Vector search over a dataset version: IVF_PQ (nprobes nearest partitions, PQ distance tables,
 * optional exact re-ranking of k * refineFactor candidates), exact search of fragments the index
 * does not cover, and flat (exact) search without an index. Deleted rows and rows failing the
 * scalar pre-filter are never returned. Distances follow Lance: squared L2, 1 - cos, 1 - dot;
 * without refine an index returns PQ approximations (for cosine: squared L2 of normalised vectors).
 */
import { EvoDBError } from "@evodb/core";
import type { LanceDataset } from "../dataset";
import type { FixedColumn } from "../column";
import type { Filter } from "../filter";
import type { FragmentReader } from "../fragment";
import type { LanceField } from "../schema";
import { distance, dot } from "./kernels";
import { PqScanner } from "./pq-scan";
import { type IvfPqIndex, type Metric } from "./ivf-pq";
import { loadVectorIndex, type VectorIndex, type VectorIndexType } from "./load-index";
import { TopK } from "./top-k";

/** Options of {@link VectorSearcher.search}. */
export interface VectorSearchOptions {
  /** Name of a fixed_size_list<float32, D> column. */
  column: string;
  query: ArrayLike<number>;
  /** Results to return (default 10). */
  k?: number;
  /** Partitions to probe (default 20, as lancedb). */
  nprobes?: number;
  /** IVF_HNSW_SQ beam width per partition (default k * refineFactor * 1.5, as lancedb); at least k * refineFactor. Needs the `@evodb/lance-reader/hnsw` index type. */
  ef?: number;
  /** Re-rank k * refineFactor PQ candidates with exact distances (default: no re-ranking). */
  refineFactor?: number;
  /** Scalar pre-filter. */
  filter?: Filter;
  /** Distance metric; must match the index when one is used (default: the index's, else l2). */
  metric?: Metric;
  /** False: exact search even when an index exists (lancedb `bypassVectorIndex`). */
  useIndex?: boolean;
}

/** Options of a {@link VectorSearcher}. */
export interface VectorSearcherOptions {
  /** Index auxiliary files up to this size are read whole (default 4 MiB), larger ones per probed partition. */
  eagerIndexBytes?: number;
  /**
   * Index types besides the built-in IVF_PQ, e.g. `[ivfHnswSq]` from `@evodb/lance-reader/hnsw`;
   * searching a column whose index is of a type not given fails with UNSUPPORTED_FEATURE.
   */
  indexTypes?: readonly VectorIndexType[];
}

/** What the masks are computed from: an index partition's row addresses. */
type Partition = { readonly rowIds: Float64Array };

/** Nearest rows, best first. */
export interface VectorSearchResult {
  readonly rowIds: Float64Array;
  readonly distances: Float32Array;
}

const TWO_32 = 2 ** 32;

/** Searches one dataset version; caches loaded indices and vectors between queries. */
export class VectorSearcher {
  private readonly indices = new Map<string, Promise<VectorIndex>>();
  private readonly vectors = new Map<string, Promise<Float32Array>>();
  private readonly unfilteredMasks = new WeakMap<Partition, Uint8Array | null>();
  private readonly scanners = new Map<IvfPqIndex, PqScanner>();
  private noFilterAllowed: Promise<Map<number, Uint8Array | null>> | null = null;

  constructor(
    readonly dataset: LanceDataset,
    private readonly options: VectorSearcherOptions = {},
  ) {}

  private vectorField(name: string, dimension: number): LanceField {
    const field = this.dataset.field(name);
    const t = field.type;
    if (t.kind !== "fixed_size_list" || t.item.kind !== "float" || t.item.bits !== 32) throw new EvoDBError("INVALID_ARGUMENT", `column ${name} is ${field.logicalType}; vector search needs fixed_size_list<float32>`);
    if (t.dimension !== dimension) throw new EvoDBError("INVALID_ARGUMENT", `query has ${dimension} dimensions, column ${name} has ${t.dimension}`);
    return field;
  }

  /** The whole vector column of a fragment (cached). */
  private fragmentVectors(fragment: FragmentReader, field: LanceField): Promise<Float32Array> {
    const key = `${fragment.fragment.id}:${field.id}`;
    let hit = this.vectors.get(key);
    if (!hit) {
      hit = fragment.readField(field, 0, fragment.physicalRows).then((c) => (c as FixedColumn).values as Float32Array);
      hit.catch(() => this.vectors.delete(key));
      this.vectors.set(key, hit);
    }
    return hit;
  }

  /** Loads (once) the vector indices on `field`: IVF_PQ, and the opt-in types the searcher was given. */
  private loadIndices(field: LanceField): Promise<VectorIndex[]> {
    return Promise.all(
      this.dataset
        .indices()
        .filter((e) => e.fields.length === 1 && e.fields[0] === field.id)
        .map((e) => {
          let hit = this.indices.get(e.uuid);
          if (!hit) {
            hit = loadVectorIndex(this.dataset.store, this.dataset.root, e, this.options.eagerIndexBytes, this.options.indexTypes);
            hit.catch(() => this.indices.delete(e.uuid));
            this.indices.set(e.uuid, hit);
          }
          return hit;
        }),
    );
  }

  /** Per fragment id: allowed-row mask (1 = may be returned), or null when every row is. */
  private async allowedRows(filter: Filter | undefined): Promise<Map<number, Uint8Array | null>> {
    const out = new Map<number, Uint8Array | null>();
    for (const f of this.dataset.fragments) {
      const deleted = await f.deletedMask();
      if (!deleted && filter === undefined) {
        out.set(f.fragment.id, null);
        continue;
      }
      const mask = new Uint8Array(f.physicalRows);
      for (const r of await this.dataset.selectRows(f, filter)) mask[r] = 1;
      out.set(f.fragment.id, mask);
    }
    return out;
  }

  /** Rows of an index partition that may be returned (null: all); rows of fragments gone from this version are excluded. */
  private partitionMask(part: Partition, allowed: Map<number, Uint8Array | null>): Uint8Array | null {
    const rows = part.rowIds.length;
    let mask: Uint8Array | null = null;
    for (let i = 0; i < rows; i++) {
      const id = part.rowIds[i]!;
      const frag = Math.floor(id / TWO_32);
      const a = allowed.get(frag);
      const ok = a === undefined ? false : a === null ? true : a[id - frag * TWO_32] === 1;
      if (!ok) {
        mask ??= new Uint8Array(rows).fill(1);
        mask[i] = 0;
      }
    }
    return mask;
  }

  /** Runs a query. */
  async search(options: VectorSearchOptions): Promise<VectorSearchResult> {
    const query = Float32Array.from(options.query);
    const field = this.vectorField(options.column, query.length);
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 0) throw new EvoDBError("INVALID_ARGUMENT", `k must be a non-negative integer, got ${k}`);
    const nprobes = options.nprobes ?? 20;
    if (!Number.isInteger(nprobes) || nprobes < 1) throw new EvoDBError("INVALID_ARGUMENT", `nprobes must be a positive integer, got ${nprobes}`);
    const indices = options.useIndex === false ? [] : await this.loadIndices(field);
    const metric = options.metric ?? indices[0]?.metric ?? "l2";
    for (const index of indices) if (index.metric !== metric) throw new EvoDBError("INVALID_ARGUMENT", `the index on ${options.column} uses ${index.metric}; query with that metric or set useIndex: false`);

    // Deletions are fixed for a version, so the unfiltered masks are computed once.
    const allowed = options.filter === undefined ? await (this.noFilterAllowed ??= this.allowedRows(undefined)) : await this.allowedRows(options.filter);
    const norm = Math.sqrt(dot(query, 0, query, 0, query.length));
    const final = new TopK(k);
    const covered = new Set<number>();
    for (const index of indices) index.fragments.forEach((f) => covered.add(f));
    // Lance searches fragments appended after the index exactly (flat)...
    const unindexed = this.dataset.fragments.filter((f) => !covered.has(f.fragment.id));
    if (indices.length > 0) {
      const refine = options.refineFactor;
      if (refine !== undefined && (!Number.isInteger(refine) || refine < 1)) throw new EvoDBError("INVALID_ARGUMENT", `refineFactor must be a positive integer, got ${refine}`);
      const candidates = new TopK(k * (refine ?? 1));
      // Deletions are fixed for a version: unfiltered partition masks are computed once.
      const maskOf = (part: Partition): Uint8Array | null => {
        if (options.filter !== undefined) return this.partitionMask(part, allowed);
        let hit = this.unfilteredMasks.get(part);
        if (hit === undefined) this.unfilteredMasks.set(part, (hit = this.partitionMask(part, allowed)));
        return hit;
      };
      for (const index of indices) {
        if ("search" in index) {
          await index.search({ query, k: k * (refine ?? 1), nprobes, ef: options.ef, candidates, allowed: maskOf });
          continue;
        }
        let scanner = this.scanners.get(index);
        if (!scanner) this.scanners.set(index, (scanner = new PqScanner(index)));
        await scanner.search(query, metric, candidates, new TopK(Math.min(nprobes, index.numPartitions)), maskOf);
      }
      // ...and then re-ranks the index candidates exactly so both distances compare
      // (scanner.rs knn_combined), as it does for an explicit refine factor.
      if (refine === undefined && unindexed.length === 0) for (let i = 0; i < candidates.size; i++) final.push(candidates.distances[i]!, candidates.ids[i]!);
      else await this.rerank(candidates, field, query, norm, metric, final);
    }
    for (const fragment of unindexed) {
      const vectors = await this.fragmentVectors(fragment, field);
      const mask = allowed.get(fragment.fragment.id) ?? null;
      const d = query.length;
      for (let r = 0; r < fragment.physicalRows; r++) {
        if (mask && mask[r] === 0) continue;
        final.push(Math.fround(distance(metric, query, norm, vectors, r * d, d)), fragment.rowAddress(r));
      }
    }
    const sorted = final.sorted();
    return { rowIds: sorted.ids, distances: sorted.distances };
  }

  /**
   * Exact distances for the PQ candidates. Vectors come from the cached column when a fragment was
   * loaded whole, else only the candidates' rows are read (the file reader coalesces neighbouring rows
   * and issues the range reads concurrently, see io.ts READS_IN_FLIGHT).
   */
  private async rerank(candidates: TopK, field: LanceField, query: Float32Array, norm: number, metric: Metric, out: TopK): Promise<void> {
    const d = query.length;
    const groups = new Map<number, number[]>();
    for (let i = 0; i < candidates.size; i++) {
      const frag = Math.floor(candidates.ids[i]! / TWO_32);
      let g = groups.get(frag);
      if (!g) groups.set(frag, (g = []));
      g.push(candidates.ids[i]!);
    }
    await Promise.all(
      this.dataset.fragments.map(async (fragment) => {
        const ids = groups.get(fragment.fragment.id);
        if (!ids) return;
        const offsets = Uint32Array.from(ids, (id) => id - fragment.fragment.id * TWO_32);
        const cached = this.vectors.get(`${fragment.fragment.id}:${field.id}`);
        // Only the candidates' rows, when the column has a fixed row stride (else null: read it whole).
        const rows = cached ? null : await fragment.readVectorRows(field, d, offsets);
        const vectors = rows ?? (await this.fragmentVectors(fragment, field));
        for (let i = 0; i < ids.length; i++) out.push(Math.fround(distance(metric, query, norm, vectors, (rows ? i : offsets[i]!) * d, d)), ids[i]!);
      }),
    );
  }
}
