/**
 * Figures of the writer section (issue 3, "Benchmark"): flush throughput and compaction on the
 * filesystem store, commit latency, and reading live rows with and without updates and deletes.
 * Every table lives in its own root under one temporary directory, which the caller removes.
 */
import { EvoDBError, MemoryObjectStore, type JsonValue, type ObjectStore, type WalEntry } from "@evodb/core";
import { FsObjectStore } from "@evodb/core/node";
import { createTable, type Table } from "@evodb/lakehouse";
import { compact, readLiveRows, TableWriter } from "@evodb/writer";
import type { SuiteContext } from "../harness/registry";
import { quantile, type Timing } from "../harness/timing";

/** Documents written per flush in the throughput figure (the writer's default batch bound). */
const FLUSH_BATCH = 10_000;
/** Sequential one-file appends timed for commit latency. */
const COMMITS = 200;
/** Blocks merged by the compaction figure, and documents per block. */
const SMALL_BLOCKS = 100;
const DOCS_PER_SMALL_BLOCK = 100;

/** Where the suite's tables live: a temporary directory for the filesystem store. */
export interface WriterBenchEnv {
  readonly dir: string;
  /** Documents used by the section: a prefix of the run's dataset. */
  readonly docs: readonly JsonValue[];
}

let tableCounter = 0;

function newTable(store: ObjectStore): Promise<Table> {
  return createTable(store, { root: `bench${++tableCounter}`, name: "events", keyPath: ["id"] });
}

/** Insert entries whose primary keys and LSNs are consecutive from `firstLsn`. */
function inserts(docs: readonly JsonValue[], firstLsn: number): WalEntry[] {
  return docs.map((document, i) => ({ table: "events", primaryKey: firstLsn + i, lsn: firstLsn + i, op: "insert", document, time: 0 }));
}

/** Median, p99 and minimum of hand-timed samples (runs that need untimed setup each time). */
function summarizeSamples(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), minMs: sorted[0]!, runs: sorted.length };
}

/** Times `runs` runs of `operation`, each after an untimed `setup` whose result it receives. */
async function timeWithSetup<T>(runs: number, setup: () => Promise<T>, operation: (input: T) => Promise<void>): Promise<Timing> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const input = await setup();
    const start = performance.now();
    await operation(input);
    samples.push(performance.now() - start);
  }
  return summarizeSamples(samples);
}

/** Documents/s from WAL entries to a committed snapshot on FsObjectStore, in flushes of 10,000. */
export async function measureFlushThroughput(ctx: SuiteContext, env: WriterBenchEnv): Promise<void> {
  const { docs } = env;
  ctx.log(`flush throughput, ${docs.length} documents`);
  const timing = await timeWithSetup(
    5,
    () => newTable(new FsObjectStore(env.dir)),
    async (table) => {
      const writer = new TableWriter(table, { maxEntries: FLUSH_BATCH });
      for (let i = 0; i < docs.length; i += FLUSH_BATCH) {
        await writer.add(inserts(docs.slice(i, i + FLUSH_BATCH), i + 1));
        await writer.flush();
      }
    },
  );
  ctx.record({
    group: "Write path", name: `Flush throughput, WAL batch to committed snapshot (fs, ${docs.length.toLocaleString("en")} docs)`,
    value: docs.length / (timing.medianMs / 1000), unit: "docs/s", better: "higher", timing,
    note: `FsObjectStore in a temp dir; flushes of ${FLUSH_BATCH.toLocaleString("en")} entries, each writing its .evodb block(s) and committing a snapshot; table creation not timed`,
  });
}

/** Latency of one-file appends (each a snapshot commit) on FsObjectStore, history growing to 200. */
export async function measureCommitLatency(ctx: SuiteContext, env: WriterBenchEnv): Promise<void> {
  ctx.log(`commit latency, ${COMMITS} appends`);
  const table = await newTable(new FsObjectStore(env.dir));
  const samples: number[] = [];
  for (let i = 0; i < COMMITS; i++) {
    const start = performance.now();
    await table.append([{ path: `data/f${i}.evodb`, rowCount: 1, byteSize: 1, partition: {}, columnStats: {} }]);
    samples.push(performance.now() - start);
  }
  const timing = summarizeSamples(samples);
  ctx.record({
    group: "Commit", name: "Commit latency, median (fs, one-file append)", value: timing.medianMs, unit: "ms", better: "lower", timing,
    note: `${COMMITS} sequential appends on one table, snapshot history growing from 1 to ${COMMITS}`,
  });
  ctx.record({
    group: "Commit", name: "Commit latency, p99 (fs, one-file append)", value: timing.p99Ms, unit: "ms", better: "lower",
    note: `same ${COMMITS} appends`,
  });
}

/** Reading live rows of a table with 10% of keys updated and 5% deleted, against the same table unchanged. */
export async function measureLiveRows(ctx: SuiteContext, env: WriterBenchEnv): Promise<void> {
  const { docs } = env;
  const count = docs.length;
  ctx.log(`live rows, ${count} documents`);
  const plain = await newTable(new MemoryObjectStore());
  const plainWriter = new TableWriter(plain);
  await plainWriter.add(inserts(docs, 1));
  await plainWriter.flush();

  const churned = await newTable(new MemoryObjectStore());
  const writer = new TableWriter(churned);
  await writer.add(inserts(docs, 1));
  await writer.flush();
  // Every 10th key updated (10%), every 20th key starting at 1 deleted (5%): disjoint sets.
  const changes: WalEntry[] = [];
  let lsn = count;
  for (let key = 1; key <= count; key++) {
    if (key % 10 === 0) changes.push({ table: "events", primaryKey: key, lsn: ++lsn, op: "update", document: docs[key - 1]!, time: 0 });
    else if (key % 20 === 1) changes.push({ table: "events", primaryKey: key, lsn: ++lsn, op: "delete", time: 0 });
  }
  await writer.add(changes);
  await writer.flush();

  const [plainRows, churnedRows] = [(await readLiveRows(plain)).length, (await readLiveRows(churned)).length];
  const [churnedTiming, plainTiming] = await ctx.measureSideBySide([() => readLiveRows(churned), () => readLiveRows(plain)], { minRuns: 5 });
  ctx.record({
    group: "Read path", name: `Read live rows, 10% updated + 5% deleted (memory store, ${count.toLocaleString("en")} docs)`,
    value: churnedTiming!.medianMs, unit: "ms", better: "lower", timing: churnedTiming!,
    baseline: { name: "same read, no updates or deletes", value: plainTiming!.medianMs },
    note: `${churnedRows.toLocaleString("en")} live rows from the insert block plus one block of ${changes.length.toLocaleString("en")} changes, against ${plainRows.toLocaleString("en")} rows from one block; MemoryObjectStore so the figure is the merge, not the disk`,
  });
}

/** Full compaction of 100 blocks of 100 documents into one, on FsObjectStore. */
export async function measureCompaction(ctx: SuiteContext, env: WriterBenchEnv): Promise<void> {
  const needed = SMALL_BLOCKS * DOCS_PER_SMALL_BLOCK;
  const docs = env.docs.slice(0, needed);
  ctx.log(`compaction of ${SMALL_BLOCKS} blocks`);
  const timing = await timeWithSetup(
    3,
    async () => {
      const table = await newTable(new FsObjectStore(env.dir));
      const writer = new TableWriter(table);
      for (let block = 0; block < SMALL_BLOCKS; block++) {
        const start = block * DOCS_PER_SMALL_BLOCK;
        await writer.add(inserts(docs.slice(start, start + DOCS_PER_SMALL_BLOCK), start + 1));
        await writer.flush();
      }
      return table;
    },
    async (table) => {
      const result = await compact(table, { full: true, maxInputs: SMALL_BLOCKS });
      if (result?.inputs.length !== SMALL_BLOCKS) throw new EvoDBError("INTERNAL", `Compaction merged ${result?.inputs.length ?? 0} blocks, expected ${SMALL_BLOCKS}; check compact() input selection.`);
    },
  );
  ctx.record({
    group: "Compaction", name: `Compaction of ${SMALL_BLOCKS} small blocks into one (fs, ${DOCS_PER_SMALL_BLOCK} docs each)`,
    value: timing.medianMs, unit: "ms", better: "lower", timing,
    note: "reads the 100 blocks, merges them, writes one block and commits; building the table is not timed",
  });
}
