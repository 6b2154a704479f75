/**
 * Writer and lakehouse figures for issue 3 (run: `pnpm --filter @evodb/writer run bench`): flush
 * throughput on the filesystem store, commit latency, reading live rows with and without updates
 * and deletes, and compacting 100 small blocks. Prints medians of several runs; wall-clock figures
 * vary with the machine and its load.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryObjectStore, type JsonValue, type ObjectStore, type WalEntry } from "@evodb/core";
import { FsObjectStore } from "@evodb/core/node";
import { createTable, type Table } from "@evodb/lakehouse";
import { generateEvents } from "@evodb/test-utils";
import { compact, readLiveRows, TableWriter } from "../src/index";

const dir = mkdtempSync(join(tmpdir(), "evodb-writer-bench-"));
let tableCounter = 0;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function newTable(store: ObjectStore): Promise<Table> {
  return createTable(store, { root: `bench${++tableCounter}`, name: "events", keyPath: ["id"] });
}

function inserts(docs: readonly JsonValue[], firstLsn: number): WalEntry[] {
  return docs.map((document, i) => ({ table: "events", primaryKey: firstLsn + i, lsn: firstLsn + i, op: "insert", document, time: 0 }));
}

async function flushThroughput(): Promise<void> {
  const docs = generateEvents({ count: 50_000 }) as unknown as JsonValue[];
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const table = await newTable(new FsObjectStore(dir));
    const writer = new TableWriter(table, { maxEntries: 10_000 });
    const start = performance.now();
    for (let i = 0; i < docs.length; i += 10_000) {
      await writer.add(inserts(docs.slice(i, i + 10_000), i + 1));
      await writer.flush();
    }
    runs.push(performance.now() - start);
  }
  const ms = median(runs);
  console.log(`flush throughput (fs, 50,000 event documents, 5 flushes of 10,000): ${Math.round((docs.length / ms) * 1000).toLocaleString("en")} docs/s (${ms.toFixed(0)} ms)`);
}

async function commitLatency(label: string, store: ObjectStore): Promise<void> {
  const table = await newTable(store);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    await table.append([{ path: `data/f${i}.evodb`, rowCount: 1, byteSize: 1, partition: {}, columnStats: {} }]);
    times.push(performance.now() - start);
  }
  console.log(`commit latency (${label}, 200 sequential one-file appends, history growing to 200): median ${median(times).toFixed(2)} ms, last ${times[times.length - 1]!.toFixed(2)} ms`);
}

async function liveRowReads(): Promise<void> {
  const count = 20_000;
  const docs = generateEvents({ count, seed: 7 }) as unknown as JsonValue[];
  const plain = await newTable(new MemoryObjectStore());
  const plainWriter = new TableWriter(plain);
  await plainWriter.add(inserts(docs, 1));
  await plainWriter.flush();

  const churned = await newTable(new MemoryObjectStore());
  const writer = new TableWriter(churned);
  await writer.add(inserts(docs, 1));
  await writer.flush();
  const changes: WalEntry[] = [];
  let lsn = count;
  for (let key = 1; key <= count; key++) {
    if (key % 10 === 0) changes.push({ table: "events", primaryKey: key, lsn: ++lsn, op: "update", document: docs[key - 1]!, time: 0 });
    else if (key % 20 === 1) changes.push({ table: "events", primaryKey: key, lsn: ++lsn, op: "delete", time: 0 });
  }
  await writer.add(changes);
  await writer.flush();

  const time = async (table: Table): Promise<[number, number]> => {
    const runs: number[] = [];
    let rows = 0;
    for (let run = 0; run < 5; run++) {
      const start = performance.now();
      rows = (await readLiveRows(table)).length;
      runs.push(performance.now() - start);
    }
    return [median(runs), rows];
  };
  const [plainMs, plainRows] = await time(plain);
  const [churnMs, churnRows] = await time(churned);
  console.log(`live rows (memory, ${count.toLocaleString("en")} docs): no changes ${plainMs.toFixed(0)} ms (${plainRows} rows); 10% updated + 5% deleted ${churnMs.toFixed(0)} ms (${churnRows} rows), ratio ${(churnMs / plainMs).toFixed(2)}`);
}

async function compaction(): Promise<void> {
  const docs = generateEvents({ count: 10_000, seed: 9 }) as unknown as JsonValue[];
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const table = await newTable(new FsObjectStore(dir));
    const writer = new TableWriter(table);
    for (let block = 0; block < 100; block++) {
      await writer.add(inserts(docs.slice(block * 100, block * 100 + 100), block * 100 + 1));
      await writer.flush();
    }
    const start = performance.now();
    const result = await compact(table, { full: true, maxInputs: 100 });
    runs.push(performance.now() - start);
    if (result?.inputs.length !== 100) throw new Error("compaction did not merge the 100 blocks");
  }
  console.log(`compaction (fs, 100 blocks of 100 event documents -> 1): median ${median(runs).toFixed(0)} ms`);
}

try {
  await flushThroughput();
  await commitLatency("memory", new MemoryObjectStore());
  await commitLatency("fs", new FsObjectStore(dir));
  await liveRowReads();
  await compaction();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
