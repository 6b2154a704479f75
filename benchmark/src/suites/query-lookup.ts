/**
 * The point lookup by key on a 100-block table, counted at the store: once on a cold cache (every
 * block's footer and bloom filter is read to rule the block out) and once with the footers and bloom
 * filters already cached, as in a Worker that has served a lookup before (MemoryByteCache in Node,
 * the Cache API on Workers: blocks are immutable, so these reads are cached forever).
 */
import { MemoryByteCache } from "@evodb/reader";
import type { SuiteContext } from "../harness/registry";
import { checkSameRows, rowsAsArrays } from "./query-check";
import { engineFor } from "./query-io";
import type { BenchTable } from "./query-tables";

/** A lookup of one key, and the LSN the writer gave its document (which data file holds it). */
export interface KeyLookup {
  readonly sql: string;
  readonly lsn: number;
}

/** How many requests of a run were footer reads (suffix ranges) and which blocks had ranged reads. */
function storeReads(table: BenchTable): { footerReads: number; rangedBlocks: Set<string> } {
  let footerReads = 0;
  const rangedBlocks = new Set<string>();
  for (const read of table.counter.dataReads) {
    if (read.range !== undefined && "suffix" in read.range) footerReads++;
    else rangedBlocks.add(read.key);
  }
  return { footerReads, rangedBlocks };
}

/** The object key of the data file whose LSN range holds `lsn` (each flush of the writer is one file). */
async function blockHolding(table: BenchTable, lsn: number): Promise<string | undefined> {
  const snapshot = await table.table.snapshot();
  const file = snapshot?.dataFiles.find((f) => f.lsnRange !== undefined && f.lsnRange.min <= lsn && lsn <= f.lsnRange.max);
  return file === undefined ? undefined : table.table.objectKey(file.path, "data");
}

const n = (value: number): string => value.toLocaleString("en-US");

/** Cold cache: what one lookup costs a fresh isolate, in block requests and bytes. */
export async function measureColdLookup(ctx: SuiteContext, table: BenchTable, sql: string): Promise<void> {
  const engine = engineFor(table);
  table.counter.reset();
  const output = await engine.query(sql);
  const touched = table.counter.blocksTouched();
  const requests = table.counter.dataGets;
  const { footerReads } = storeReads(table);
  const s = output.stats;
  const footerBytes = (await engine.explain(sql)).bytes.footers;
  ctx.record({
    group: "Point lookup", name: `Point lookup by key, cold cache: block requests (${table.blocks} blocks)`, value: requests, unit: "requests", better: "lower",
    baseline: { name: "blocks in the table", value: table.blocks },
    note: `No cache. Counted at the store: ${touched} of ${table.blocks} blocks touched, ${footerReads} of the ${requests} requests suffix reads ` +
      `(footer, with the key's bloom filter when it sits next to it). ${n(s.bytesFetched)} block bytes fetched of ${n(s.tableBytes)}; ` +
      `${s.blocksPrunedByZoneMap} blocks pruned by zone map, ${s.blocksPrunedByBloom} by bloom filter, column chunks read from ` +
      `${s.blocksRead + s.blocksWithoutMatch} block(s) (${s.blocksWithoutMatch} bloom false positive(s)).`,
    why: `Deciding that a block cannot hold the key takes that block's own footer and bloom filter, and snapshot statistics cannot ` +
      `prune a random UUID, so a cold lookup reads all ${touched} blocks' footers (${n(footerBytes)} bytes, EXPLAIN) and filters once; ` +
      `they are immutable and cached from then on (next figure).`,
  });
}

/**
 * Warm footer/bloom cache: a lookup of another key (in another block) first fills the cache, then
 * the measured lookup should reach the store only for the column chunks of the block holding its key.
 */
export async function measureWarmLookup(ctx: SuiteContext, table: BenchTable, measured: KeyLookup, primeSql: string): Promise<void> {
  ctx.log("point lookup, warm footer/bloom cache");
  const reference = await engineFor(table).query(measured.sql);
  const cache = new MemoryByteCache();
  const engine = engineFor(table, cache);
  await engine.query(primeSql);
  const cachedBytes = cache.size;
  table.counter.reset();
  const output = await engine.query(measured.sql);
  checkSameRows(measured.sql, "EvoDB with a warm cache", rowsAsArrays(output.columns, output.rows), rowsAsArrays(reference.columns, reference.rows), true);
  const touched = table.counter.blocksTouched();
  const { footerReads, rangedBlocks } = storeReads(table);
  const keyBlock = await blockHolding(table, measured.lsn);
  const holdsKey = keyBlock !== undefined && rangedBlocks.has(keyBlock);
  const others = rangedBlocks.size - (holdsKey ? 1 : 0);
  const s = output.stats;
  ctx.record({
    group: "Point lookup", name: `Point lookup by key, warm footer/bloom cache: blocks fetched (of ${table.blocks})`, value: touched, unit: "blocks", better: "lower",
    baseline: { name: "blocks in the table", value: table.blocks },
    targets: [{ of: "value", op: "<=", threshold: 2, label: "<= 2 blocks" }],
    note: `A lookup of another key (another block) ran first through the same MemoryByteCache, leaving ${n(cachedBytes)} bytes in it ` +
      `(footers and bloom filters of every block, and that key's block's column chunks). Then, at the store: ${table.counter.dataGets} ` +
      `block request(s), ${footerReads} of them footer reads; ranged reads in ${rangedBlocks.size} block(s): ` +
      `${holdsKey ? "the block holding the key" : "not the block holding the key"} and ${others} other(s). ` +
      `${n(s.bytesFetched)} bytes fetched, ${n(s.bytesFromCache)} from the cache (${s.cacheHits} hits, ${s.cacheMisses} misses); ` +
      `${s.blocksPrunedByBloom} blocks pruned by bloom filter; column chunks read for ${s.blocksRead + s.blocksWithoutMatch} block(s), ` +
      `${s.blocksWithoutMatch} of them bloom false positives (each costs that block's key column chunk, from the cache if an earlier ` +
      `query read it). Metadata reads (pointer, metadata, snapshot): ${table.counter.gets - table.counter.dataGets}.`,
    ...(touched > 2
      ? {
          why: `${touched} blocks reached the store: ${footerReads} footer read(s) missed the cache, and ${rangedBlocks.size} block(s) had ` +
            `ranged reads (column chunks of the key's block and of ${s.blocksWithoutMatch} bloom false positive(s), or uncached filters).`,
        }
      : {}),
  });
}
