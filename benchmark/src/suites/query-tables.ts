/**
 * The EvoDB tables of the query section, written through the real write path (@evodb/writer
 * TableWriter on @evodb/lakehouse tables) into one MemoryObjectStore, so EvoDB, DuckDB's in-memory
 * table and hyparquet's in-memory Parquet file all read from memory. A counting wrapper records every
 * `get` the read path sends to the store (the R2 requests a Worker would make).
 */
import { MemoryObjectStore, type ByteRange, type JsonValue, type ObjectGetOptions, type ObjectStore, type StoredObjectBody, type WalEntry } from "@evodb/core";
import { createTable, openTable, type Table } from "@evodb/lakehouse";
import { TableWriter } from "@evodb/writer";
import { Random } from "@evodb/test-utils";

/** Data files live under `<table>/data/` (lakehouse layout); everything else is metadata. */
function isDataKey(key: string): boolean {
  return key.includes("/data/");
}

/** Counts the reads a query sends to the store: requests, bytes, and which objects they touched. */
export class CountingObjectStore implements ObjectStore {
  gets = 0;
  bytes = 0;
  /** Requests for data files (blocks), a subset of {@link gets}. */
  dataGets = 0;
  /** Object keys read at least once since the last {@link reset}. */
  readonly keys = new Set<string>();
  /** Every request for a data file since the last {@link reset}, with its range (a suffix is a footer read). */
  readonly dataReads: { key: string; range: ByteRange | undefined }[] = [];

  constructor(private readonly inner: ObjectStore) {}

  /** Forgets the counts (before the run being measured). */
  reset(): void {
    this.gets = 0;
    this.dataGets = 0;
    this.bytes = 0;
    this.keys.clear();
    this.dataReads.length = 0;
  }

  /** Distinct data files (blocks) read since the last reset: footers or column chunks. */
  blocksTouched(): number {
    let count = 0;
    for (const key of this.keys) if (isDataKey(key)) count++;
    return count;
  }

  async get(key: string, options?: ObjectGetOptions): Promise<StoredObjectBody | null> {
    const body = await this.inner.get(key, options);
    this.gets++;
    if (isDataKey(key)) {
      this.dataGets++;
      this.dataReads.push({ key, range: options?.range });
    }
    this.keys.add(key);
    if (body !== null) {
      // The size of the answer (a range read returns only the range); read once, handed on as is.
      const data = await body.arrayBuffer();
      this.bytes += data.byteLength;
      return {
        key: body.key, size: body.size, etag: body.etag, uploaded: body.uploaded,
        arrayBuffer: async () => data,
        text: async () => new TextDecoder().decode(data),
      };
    }
    return body;
  }

  head(key: string): ReturnType<ObjectStore["head"]> {
    return this.inner.head(key);
  }

  put(...args: Parameters<ObjectStore["put"]>): ReturnType<ObjectStore["put"]> {
    return this.inner.put(...args);
  }

  delete(keys: string | string[]): Promise<void> {
    return this.inner.delete(keys);
  }

  list(...args: Parameters<ObjectStore["list"]>): ReturnType<ObjectStore["list"]> {
    return this.inner.list(...args);
  }
}

/** A written table, opened a second time over a counting store for the queries. */
export interface BenchTable {
  /** The table as the query engine sees it (reads counted). */
  readonly table: Table;
  readonly counter: CountingObjectStore;
  /** Rows written. */
  readonly rows: number;
  /** Blocks (data files) in its current snapshot. */
  readonly blocks: number;
  /** Sum of the data files' sizes. */
  readonly bytes: number;
}

/**
 * Writes `docs` as table `name` in a new MemoryObjectStore with a TableWriter keyed by `keyField`,
 * flushing every `flushEvery` documents (each flush writes its blocks and commits one snapshot).
 */
export async function writeTable(name: string, docs: readonly JsonValue[], keyField: string, flushEvery: number): Promise<BenchTable> {
  const store = new MemoryObjectStore();
  const table = await createTable(store, { root: "bench", name, keyPath: [keyField] });
  const writer = new TableWriter(table, { maxEntries: flushEvery });
  for (let start = 0; start < docs.length; start += flushEvery) {
    const entries: WalEntry[] = [];
    for (let i = start; i < Math.min(docs.length, start + flushEvery); i++) {
      const document = docs[i] as { [key: string]: JsonValue };
      entries.push({ table: name, primaryKey: document[keyField] as string | number, lsn: i + 1, op: "insert", document, time: 0 });
    }
    await writer.add(entries);
    await writer.flush();
  }
  const counter = new CountingObjectStore(store);
  const opened = await openTable(counter, { root: "bench", name });
  const snapshot = await opened.snapshot();
  const files = snapshot?.dataFiles ?? [];
  return { table: opened, counter, rows: docs.length, blocks: files.length, bytes: files.reduce((sum, f) => sum + f.byteSize, 0) };
}

/** Columns of the wide table and how many of each kind. */
export const WIDE_COLUMNS = 50;

/**
 * `count` rows of 50 top-level fields (c00..c49) plus an integer `id`: a mix of small ints, wide
 * ints, floats, low- and high-cardinality strings and booleans, every kind present at about the same
 * share, so any two columns are a fair "2 of 50".
 */
export function wideDocs(count: number, seed: number): JsonValue[] {
  const random = new Random(seed);
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"];
  const names = Array.from({ length: WIDE_COLUMNS }, (_, c) => `c${String(c).padStart(2, "0")}`);
  const docs: JsonValue[] = [];
  for (let row = 0; row < count; row++) {
    const doc: { [key: string]: JsonValue } = { id: row };
    for (let c = 0; c < WIDE_COLUMNS; c++) {
      const name = names[c]!;
      switch (c % 5) {
        case 0: doc[name] = random.int(0, 1000); break;
        case 1: doc[name] = random.int(0, 2 ** 40); break;
        case 2: doc[name] = Math.round(random.next() * 1e6) / 100; break;
        case 3: doc[name] = c % 2 === 0 ? words[random.int(0, words.length - 1)]! : `${words[random.int(0, words.length - 1)]!}-${random.int(0, 99_999)}`; break;
        default: doc[name] = random.chance(0.5); break;
      }
    }
    docs.push(doc);
  }
  return docs;
}
