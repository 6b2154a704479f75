/**
 * Search of one HNSW graph as Lance stores it per IVF partition (index.idx rows: `__vector_id`,
 * `__neighbors`; levels by the `level_offsets` of the partition's `lance:hnsw` entry) and as
 * Lance searches it (lance-index `hnsw/builder.rs` search_inner, `graph.rs` greedy_search and
 * beam_search): start at node 0, greedy descent through levels max_level-1 .. 0 moving to the
 * first strictly closer neighbour, then a beam search of width `ef` on level 0, keeping only
 * allowed nodes as results while still walking through the others. When the allowed nodes are
 * under 10% of the partition, Lance scores them all instead (flat search), and so does this.
 *
 * Lance's heaps are Rust `BinaryHeap`s ordered by distance alone; ties between equal distances
 * (common with quantised distances) are resolved by the heap's own sift order. {@link RustHeap}
 * reproduces that order so that results agree with Lance's even at ties.
 */
import { check } from "../errors";

/**
 * A binary heap with the exact push/pop/into_sorted_vec behaviour of Rust's `BinaryHeap` over
 * (distance, id) pairs compared by distance only: a max-heap, or a min-heap (`Reverse`) when `min`.
 */
export class RustHeap {
  private keys: Float64Array;
  private ids: Uint32Array;
  len = 0;
  /** The pair removed by the last {@link pop}. */
  readonly popped = { distance: 0, id: 0 };

  constructor(private readonly min: boolean, capacity = 16) {
    this.keys = new Float64Array(Math.max(capacity, 1));
    this.ids = new Uint32Array(Math.max(capacity, 1));
  }

  /** Empties the heap (keeps its buffers). */
  clear(): void {
    this.len = 0;
  }

  /** Distance at the top (largest for a max-heap, smallest for a min-heap). */
  peekDistance(): number {
    return this.min ? -this.keys[0]! : this.keys[0]!;
  }

  /** Id at the top. */
  peekId(): number {
    return this.ids[0]!;
  }

  push(distance: number, id: number): void {
    if (this.len === this.keys.length) {
      const keys = new Float64Array(this.len * 2);
      keys.set(this.keys);
      this.keys = keys;
      const ids = new Uint32Array(this.len * 2);
      ids.set(this.ids);
      this.ids = ids;
    }
    this.keys[this.len] = this.min ? -distance : distance;
    this.ids[this.len] = id;
    this.len++;
    this.siftUp(0, this.len - 1);
  }

  /** Removes the top; its distance and id are left in {@link popped}. */
  pop(): void {
    check(this.len > 0, "pop from an empty heap");
    this.len--;
    let key = this.keys[this.len]!;
    let id = this.ids[this.len]!;
    if (this.len > 0) {
      const k0 = this.keys[0]!, i0 = this.ids[0]!;
      this.keys[0] = key;
      this.ids[0] = id;
      key = k0;
      id = i0;
      this.siftDownToBottom(0);
    }
    this.popped.distance = this.min ? -key : key;
    this.popped.id = id;
  }

  private siftUp(start: number, pos: number): number {
    const keys = this.keys, ids = this.ids;
    const key = keys[pos]!, id = ids[pos]!;
    while (pos > start) {
      const parent = (pos - 1) >> 1;
      if (key <= keys[parent]!) break;
      keys[pos] = keys[parent]!;
      ids[pos] = ids[parent]!;
      pos = parent;
    }
    keys[pos] = key;
    ids[pos] = id;
    return pos;
  }

  private siftDownToBottom(pos: number): void {
    const keys = this.keys, ids = this.ids;
    const end = this.len;
    const start = pos;
    const key = keys[pos]!, id = ids[pos]!;
    let child = 2 * pos + 1;
    while (child <= end - 2) {
      if (keys[child]! <= keys[child + 1]!) child++;
      keys[pos] = keys[child]!;
      ids[pos] = ids[child]!;
      pos = child;
      child = 2 * pos + 1;
    }
    if (child === end - 1) {
      keys[pos] = keys[child]!;
      ids[pos] = ids[child]!;
      pos = child;
    }
    keys[pos] = key;
    ids[pos] = id;
    this.siftUp(start, pos);
  }

  private siftDownRange(pos: number, end: number): void {
    const keys = this.keys, ids = this.ids;
    const key = keys[pos]!, id = ids[pos]!;
    let child = 2 * pos + 1;
    while (child <= end - 2) {
      if (keys[child]! <= keys[child + 1]!) child++;
      if (key >= keys[child]!) break;
      keys[pos] = keys[child]!;
      ids[pos] = ids[child]!;
      pos = child;
      child = 2 * pos + 1;
    }
    if (child === end - 1 && key < keys[child]!) {
      keys[pos] = keys[child]!;
      ids[pos] = ids[child]!;
      pos = child;
    }
    keys[pos] = key;
    ids[pos] = id;
  }

  /** Consumes the heap into ascending order by key (`into_sorted_vec`): distances and ids. */
  intoSorted(): { distances: Float64Array; ids: Uint32Array } {
    const keys = this.keys, ids = this.ids;
    for (let end = this.len; end > 1; ) {
      end--;
      const k = keys[0]!, i = ids[0]!;
      keys[0] = keys[end]!;
      ids[0] = ids[end]!;
      keys[end] = k;
      ids[end] = i;
      this.siftDownRange(0, end);
    }
    const n = this.len;
    this.len = 0;
    const distances = new Float64Array(n);
    for (let i = 0; i < n; i++) distances[i] = this.min ? -keys[i]! : keys[i]!;
    return { distances, ids: ids.slice(0, n) };
  }
}

/**
 * The HNSW graph of one partition as flat arrays (no object or view per node): the neighbours of
 * `node` at `level` are `values[offsets[r - 1] .. offsets[r])` with `r = rowOf[level][node]`; r = 0
 * (or no map for the level) means the node is not on that level.
 */
export interface HnswGraph {
  /** Nodes in the partition (level 0 holds every node). */
  readonly numNodes: number;
  /** Levels searched (Lance's `max_level` parameter). */
  readonly maxLevel: number;
  readonly rowOf: readonly Uint32Array[];
  readonly offsets: Uint32Array;
  readonly values: Uint32Array;
}

/**
 * Builds a graph from the partition's index rows: `vectorIds[r]` and the neighbour list of row r
 * (`lists.values[lists.offsets[r] .. lists.offsets[r + 1])`) for rows `[from, from + count)`,
 * levels at `levelOffsets` relative to `from`.
 */
export function buildGraph(vectorIds: Uint32Array, listOffsets: Uint32Array, listValues: Uint32Array, from: number, levelOffsets: number[], maxLevel: number): HnswGraph {
  check(levelOffsets.length >= 2 && levelOffsets[0] === 0, "HNSW level offsets must start at 0");
  for (let l = 1; l < levelOffsets.length; l++) check(Number.isInteger(levelOffsets[l]) && levelOffsets[l]! >= levelOffsets[l - 1]!, "HNSW level offsets decrease");
  const numNodes = levelOffsets[1]!;
  check(from + levelOffsets[levelOffsets.length - 1]! <= vectorIds.length, "HNSW levels lie outside the index rows");
  check(levelOffsets.length - 1 <= maxLevel && Number.isInteger(maxLevel) && maxLevel <= 64, "HNSW has more levels than its max_level");
  // rowOf[level][node] = index row + 1 (0: not on the level).
  const rowOf: Uint32Array[] = [];
  for (let l = 0; l + 1 < levelOffsets.length; l++) {
    const map = new Uint32Array(numNodes);
    for (let r = from + levelOffsets[l]!; r < from + levelOffsets[l + 1]!; r++) {
      const node = vectorIds[r]!;
      check(node < numNodes, "HNSW node id outside the partition");
      check(listOffsets[r + 1]! >= listOffsets[r]!, "HNSW neighbour offsets decrease");
      for (let i = listOffsets[r]!; i < listOffsets[r + 1]!; i++) check(listValues[i]! < numNodes, "HNSW neighbour id outside the partition");
      map[node] = r + 1;
    }
    rowOf.push(map);
  }
  return { numNodes, maxLevel, rowOf, offsets: listOffsets, values: listValues };
}

/** Distance from the query to node `id` of the partition. */
export type NodeDistance = (id: number) => number;

/** Reusable per-search state: the visited set, the heaps and the greedy descent's position. */
export class HnswSearchState {
  private visited = new Uint8Array(0);
  readonly candidates = new RustHeap(true);
  readonly results = new RustHeap(false);
  /** Unvisited neighbours of the node being expanded. */
  pending = new Uint32Array(64);
  entry = 0;
  entryDistance = 0;

  visitedFor(n: number): Uint8Array {
    if (this.visited.length < n) this.visited = new Uint8Array(n);
    else this.visited.fill(0, 0, n);
    return this.visited;
  }
}

/** Greedy descent on one level from `state.entry`, leaving the closest node found there. */
function greedy(graph: HnswGraph, level: number, dist: NodeDistance, state: HnswSearchState): void {
  const map = graph.rowOf[level];
  if (!map) return;
  const { offsets, values } = graph;
  let current = state.entry;
  let closest = state.entryDistance;
  for (;;) {
    const row = map[current]!;
    let next = -1;
    if (row > 0) {
      for (let i = offsets[row - 1]!, end = offsets[row]!; i < end; i++) {
        const d = dist(values[i]!);
        if (d < closest) {
          closest = d;
          next = values[i]!;
        }
      }
    }
    if (next < 0) break;
    current = next;
  }
  state.entry = current;
  state.entryDistance = closest;
}

/**
 * The `k` nearest nodes (ascending, ties in Lance's order) by `dist` with beam width `ef`;
 * `allowed[node] === 0` excludes a node from the results (null: all allowed).
 */
export function searchHnsw(graph: HnswGraph, dist: NodeDistance, k: number, ef: number, allowed: Uint8Array | null, state: HnswSearchState): { distances: Float64Array; ids: Uint32Array } {
  const n = graph.numNodes;
  if (n === 0) return { distances: new Float64Array(0), ids: new Uint32Array(0) };
  let remaining = n;
  if (allowed) {
    remaining = 0;
    for (let i = 0; i < n; i++) remaining += allowed[i]!;
  }
  const results = state.results;
  results.clear();
  if (allowed && remaining < Math.floor((n * 10) / 100)) {
    // Few allowed nodes: Lance scores them all (hnsw/builder.rs flat_search).
    for (let id = 0; id < n; id++) {
      if (allowed[id] === 0) continue;
      const d = dist(id);
      if (results.len < k) results.push(d, id);
      else if (d < results.peekDistance()) {
        results.pop();
        results.push(d, id);
      }
    }
    return results.intoSorted();
  }
  state.entry = 0;
  state.entryDistance = dist(0);
  for (let level = graph.maxLevel - 1; level >= 0; level--) greedy(graph, level, dist, state);
  const ep = state.entry;
  const epDistance = state.entryDistance;

  // beam_search on level 0 with a result heap of size ef.
  const visited = state.visitedFor(n);
  const candidates = state.candidates;
  candidates.clear();
  visited[ep] = 1;
  candidates.push(epDistance, ep);
  if (!allowed || allowed[ep] === 1) results.push(epDistance, ep);
  const bottom = graph.rowOf[0]!;
  const { offsets, values } = graph;
  while (candidates.len > 0) {
    candidates.pop();
    const current = candidates.popped;
    const furthest = results.len > 0 ? results.peekDistance() : Infinity;
    if (current.distance > furthest && results.len === ef) break;
    const row = bottom[current.id]!;
    if (row === 0) continue;
    // Lance first collects the unvisited neighbours, then scores them in order.
    const start = offsets[row - 1]!, end = offsets[row]!;
    if (state.pending.length < end - start) state.pending = new Uint32Array(end - start);
    const pending = state.pending;
    let count = 0;
    for (let i = start; i < end; i++) if (visited[values[i]!] === 0) pending[count++] = values[i]!;
    for (let j = 0; j < count; j++) {
      const neighbor = pending[j]!;
      visited[neighbor] = 1;
      const d = dist(neighbor);
      if (d <= furthest || results.len < ef) {
        if (!allowed || allowed[neighbor] === 1) {
          if (results.len < ef) results.push(d, neighbor);
          else if (d < results.peekDistance()) {
            results.pop();
            results.push(d, neighbor);
          }
        }
        candidates.push(d, neighbor);
      }
    }
  }
  const sorted = results.intoSorted();
  return sorted.ids.length > k ? { distances: sorted.distances.subarray(0, k), ids: sorted.ids.subarray(0, k) } : sorted;
}
