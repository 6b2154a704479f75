import { beforeAll, describe, expect, it } from "vitest";
import { isEvoDBError, parseBlockFooter, shred, type JsonValue, type ObjectGetOptions, type ObjectStore, type StoredObjectBody } from "@evodb/core";
import { generateEvents } from "@evodb/test-utils";
import { MemoryByteCache, TableScan, q, queryTable, runQuery, type Query, type ResultRow } from "../src/index";
import { encodeEqualityDeletes, openTable } from "@evodb/lakehouse";
import { deletePositions, makeTable, writeBlocks, type Fixture } from "./lakehouse-fixture";

const BLOCK_ROWS = 1000;
const DELETED = [0, 5, 17, 999];

let fixture: Fixture;
let liveDocs: JsonValue[];
let allDocs: JsonValue[];
let groups: JsonValue[][];
let firstSnapshotId: number;

beforeAll(async () => {
  const events = generateEvents({ count: 12_000, seed: 11 }) as unknown as { device: { os: string } }[];
  const byOs = new Map<string, JsonValue[]>();
  for (const event of events) {
    const list = byOs.get(event.device.os) ?? [];
    list.push(event as unknown as JsonValue);
    byOs.set(event.device.os, list);
  }
  groups = [];
  for (const [, docs] of [...byOs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let i = 0; i < docs.length; i += BLOCK_ROWS) groups.push(docs.slice(i, i + BLOCK_ROWS));
  }
  fixture = await makeTable(groups, {
    partitionSpec: { fields: [{ name: "os", sourcePath: ["device", "os"], transform: "identity" }] },
    partitionOf: (docs) => ({ os: (docs[0] as { device: { os: string } }).device.os }),
  });
  firstSnapshotId = (await fixture.table.snapshot())!.snapshotId;
  const firstFile = (await fixture.table.snapshot())!.dataFiles[0]!;
  await deletePositions(fixture.table, firstFile.path, DELETED);
  allDocs = groups.flat();
  liveDocs = groups.flatMap((docs, g) => (g === 0 ? docs.filter((_, i) => !DELETED.includes(i)) : docs));
}, 60_000);

/**
 * The fixture's store behind a wrapper that records every read of a block (a key under `data/`):
 * the range asked for and the bytes the store returned.
 */
function countingStore(inner: ObjectStore): { store: ObjectStore; reads: { key: string; range: ObjectGetOptions["range"]; bytes: number }[] } {
  const reads: { key: string; range: ObjectGetOptions["range"]; bytes: number }[] = [];
  const store: ObjectStore = {
    async get(key, options) {
      const object = await inner.get(key, options);
      if (object === null || !key.includes("/data/")) return object;
      const bytes = new Uint8Array(await object.arrayBuffer());
      reads.push({ key, range: options?.range, bytes: bytes.length });
      return { ...object, arrayBuffer: async () => bytes.slice().buffer, text: async () => new TextDecoder().decode(bytes) } as StoredObjectBody;
    },
    head: (key) => inner.head(key),
    put: (key, value, options) => inner.put(key, value, options),
    delete: (keys) => inner.delete(keys),
    list: (options) => inner.list(options),
  };
  return { store, reads };
}

const sortRows = (rows: ResultRow[]) => rows.map((r) => JSON.stringify(r)).sort();

async function expectSameAsInMemory(query: Query): Promise<void> {
  const expected = await runQuery(query, [shred(liveDocs)]);
  const actual = await queryTable(fixture.table, query);
  expect(actual.columns).toEqual(expected.columns);
  if (query.orderBy) expect(actual.rows).toEqual(expected.rows);
  else expect(sortRows(actual.rows)).toEqual(sortRows(expected.rows));
}

describe("TableScan over a lakehouse snapshot", () => {
  it.each([
    "count all",
    "filter + project",
    "group by",
    "order + limit",
  ])("gives the same rows as the in-memory engine on the live documents: %s", async (name) => {
    const queries: Record<string, Query> = {
      "count all": { from: "events", select: [{ kind: "expr", expr: q.agg("count") }] },
      "filter + project": {
        from: "events",
        select: [{ kind: "expr", expr: q.col("event_id") }, { kind: "expr", expr: q.col("geo") }],
        where: q.and(q.cmp("=", q.col("device", "os"), q.lit("iOS")), q.cmp(">", q.col("latency_ms"), q.lit(60))),
      },
      "group by": {
        from: "events",
        select: [{ kind: "expr", expr: q.col("type") }, { kind: "expr", expr: q.agg("count") }, { kind: "expr", expr: q.agg("avg", q.col("duration_ms")) }],
        groupBy: [q.col("type")],
      },
      "order + limit": {
        from: "events",
        select: [{ kind: "expr", expr: q.col("event_id") }, { kind: "expr", expr: q.col("latency_ms") }],
        orderBy: [{ expr: q.col("latency_ms"), direction: "desc" }, { expr: q.col("event_id"), direction: "asc" }],
        limit: 7,
      },
    };
    await expectSameAsInMemory(queries[name]!);
  });

  it("honours delete vectors, and time travel sees the rows before the delete", async () => {
    const count: Query = { from: "events", select: [{ kind: "expr", expr: q.agg("count") }] };
    expect((await queryTable(fixture.table, count)).rows).toEqual([{ "count(*)": liveDocs.length }]);
    const before = await queryTable(fixture.table, { ...count, snapshot: { kind: "id", id: String(firstSnapshotId) } });
    expect(before.rows).toEqual([{ "count(*)": allDocs.length }]);
  });

  it("prunes by partition value", async () => {
    const result = await queryTable(fixture.table, {
      from: "events",
      select: [{ kind: "expr", expr: q.agg("count") }],
      where: q.cmp("=", q.col("device", "os"), q.lit("Linux")),
    });
    const linuxBlocks = groups.filter((g) => (g[0] as { device: { os: string } }).device.os === "Linux").length;
    expect(result.stats.blocksPrunedByPartition).toBe(groups.length - linuxBlocks);
    expect(result.rows[0]!["count(*)"]).toBe(liveDocs.filter((d) => (d as { device: { os: string } }).device.os === "Linux").length);
  });

  it("finds one key with at most 2 blocks read, pruning the rest by zone maps and bloom filters", async () => {
    const target = groups[3]![123] as { event_id: string };
    const result = await queryTable(fixture.table, {
      from: "events",
      select: [{ kind: "expr", expr: q.col("event_id") }, { kind: "expr", expr: q.col("type") }],
      where: q.cmp("=", q.col("event_id"), q.lit(target.event_id)),
    });
    expect(result.rows).toHaveLength(1);
    expect(result.stats.blocksRead).toBeLessThanOrEqual(2);
    expect(result.stats.blocksPrunedByBloom + result.stats.blocksPrunedByZoneMap).toBeGreaterThanOrEqual(groups.length - 2);
    expect(result.stats.blocksPrunedByBloom).toBeGreaterThan(0);
  });

  it("prunes time ranges with snapshot zone maps before any block I/O", async () => {
    const received = allDocs.map((d) => (d as { received_at: number }).received_at).sort((a, b) => a - b);
    const cut = received[Math.floor(received.length * 0.98)]!;
    const scan = new TableScan(fixture.table, { where: q.cmp(">", q.col("received_at"), q.lit(cut)), paths: [["received_at"]] });
    const plan = await scan.plan();
    expect(plan.files.filter((f) => f.prunedBy === "zone-map").length).toBeGreaterThan(0);
  });

  it("reads only the needed column chunks, and skips the projection of blocks without a match", async () => {
    const oneColumn = await queryTable(fixture.table, { from: "events", select: [{ kind: "expr", expr: q.agg("sum", q.col("latency_ms")) }] });
    // Footers (with their bloom filters) are about 11% of these small 1,000-row blocks, so the
    // floor here is footers plus one float column and the root tags.
    expect(oneColumn.stats.bytesRead).toBeLessThan(oneColumn.stats.tableBytes * 0.3);
    const noMatch = await queryTable(fixture.table, {
      from: "events",
      select: [{ kind: "star" }],
      where: { kind: "like", expr: q.col("page", "title"), pattern: "%no such title%", negated: false },
    });
    expect(noMatch.rows).toEqual([]);
    expect(noMatch.stats.blocksWithoutMatch).toBe(groups.length);
    expect(noMatch.stats.bytesRead).toBeLessThan(noMatch.stats.tableBytes * 0.4);
  });

  it("a warm cache serves a repeated query with no block requests", async () => {
    const cache = new MemoryByteCache();
    const query: Query = { from: "events", select: [{ kind: "expr", expr: q.agg("max", q.col("ts")) }], where: q.cmp("=", q.col("type"), q.lit("purchase")) };
    const cold = await queryTable(fixture.table, query, { cache });
    const warm = await queryTable(fixture.table, query, { cache });
    expect(warm.rows).toEqual(cold.rows);
    expect(cold.stats.requests).toBeGreaterThan(0);
    expect(warm.stats.requests).toBe(0);
    expect(warm.stats.bytesFetched).toBe(0);
    expect(warm.stats.cacheHits).toBe(cold.stats.cacheMisses);
  });

  it("stops with LIMIT_EXCEEDED past the byte or time limit", async () => {
    const query: Query = { from: "events", select: [{ kind: "star" }] };
    await expect(queryTable(fixture.table, query, { limits: { maxBytesScanned: 10_000 } })).rejects.toSatisfy((e) => isEvoDBError(e, "LIMIT_EXCEEDED"));
    let now = 0;
    const scan = new TableScan(fixture.table, { clock: () => (now += 40), limits: { maxTimeMs: 100 } });
    await expect((async () => {
      for await (const _ of scan.blocks()) void _;
    })()).rejects.toSatisfy((e) => isEvoDBError(e, "LIMIT_EXCEEDED"));
  });

  it("a corrupt block is a CORRUPT_BLOCK error, not a wrong answer", async () => {
    const broken = await makeTable([groups[0]!]);
    const file = (await broken.table.snapshot())!.dataFiles[0]!;
    const key = broken.table.objectKey(file.path, "data");
    const bytes = new Uint8Array(await (await broken.store.get(key))!.arrayBuffer());
    bytes[Math.floor(bytes.length / 3)]! ^= 0xff;
    await broken.store.put(key, bytes);
    await expect(queryTable(broken.table, { from: "events", select: [{ kind: "star" }] })).rejects.toSatisfy((e) => isEvoDBError(e, "CORRUPT_BLOCK"));
  });

  it("applies key+LSN equality deletes: updates replace the old version, deletes remove the key", async () => {
    const version = (id: number, lsn: number, value: string): JsonValue => ({ id, value, _evodb_key: `n:${id}`, _evodb_lsn: lsn });
    const { table } = await makeTable([Array.from({ length: 100 }, (_, i) => version(i, i + 1, "old"))]);
    await table.append(await writeBlocks(table, [Array.from({ length: 10 }, (_, i) => version(i, 200, "new"))]));
    const entries = [...Array.from({ length: 10 }, (_, i) => ({ key: `n:${i}`, lsn: 200 })), { key: "n:50", lsn: 300 }];
    const path = table.newDeleteFilePath("eqd");
    const byteSize = await table.writeFile(path, encodeEqualityDeletes(["id"], entries));
    await table.deleteRows([{ kind: "equality", path, rowCount: entries.length, byteSize }]);
    const result = await queryTable(table, {
      from: "events",
      select: [{ kind: "expr", expr: q.col("value") }, { kind: "expr", expr: q.agg("count") }, { kind: "expr", expr: q.agg("count", q.col("id"), true) }],
      groupBy: [q.col("value")],
      orderBy: [{ expr: q.col("value"), direction: "asc" }],
    });
    expect(result.rows).toEqual([
      { value: "new", "count(*)": 10, "count(DISTINCT id)": 10 },
      { value: "old", "count(*)": 89, "count(DISTINCT id)": 89 },
    ]);
    const deleted = await queryTable(table, { from: "events", select: [{ kind: "expr", expr: q.agg("count") }], where: q.cmp("=", q.col("id"), q.lit(50)) });
    expect(deleted.rows).toEqual([{ "count(*)": 0 }]);
  });

  it("bytesRead never exceeds the table and equals what the store returned; a warm cache fetches nothing", async () => {
    const { store, reads } = countingStore(fixture.store);
    const table = await openTable(store, { name: "events" });
    const queries: Query[] = [
      { from: "events", select: [{ kind: "star" }] },
      { from: "events", select: [{ kind: "expr", expr: q.col("geo") }, { kind: "expr", expr: q.col("event_id") }], where: q.cmp(">", q.col("latency_ms"), q.lit(40)) },
      { from: "events", select: [{ kind: "expr", expr: q.agg("sum", q.col("latency_ms")) }], where: q.cmp("=", q.col("type"), q.lit("purchase")) },
    ];
    for (const query of queries) {
      reads.length = 0;
      const { stats } = await queryTable(table, query);
      const returned = reads.reduce((sum, r) => sum + r.bytes, 0);
      expect(stats.bytesFetched).toBe(returned);
      expect(stats.bytesRead).toBe(returned);
      expect(stats.bytesFromCache).toBe(0);
      expect(stats.requests).toBe(reads.length);
      expect(stats.bytesRead).toBeLessThanOrEqual(stats.tableBytes);
      // No byte of a block is fetched twice within one scan.
      const byKey = new Map<string, number>();
      for (const r of reads) byKey.set(r.key, (byKey.get(r.key) ?? 0) + r.bytes);
      const sizes = new Map((await table.snapshot())!.dataFiles.map((f) => [table.objectKey(f.path, "data"), f.byteSize]));
      for (const [key, bytes] of byKey) expect(bytes).toBeLessThanOrEqual(sizes.get(key)!);
    }
    const cache = new MemoryByteCache();
    const cold = await queryTable(table, queries[1]!, { cache });
    reads.length = 0;
    const warm = await queryTable(table, queries[1]!, { cache });
    expect(reads).toEqual([]);
    expect(warm.stats.bytesFetched).toBe(0);
    expect(warm.stats.bytesFromCache).toBe(cold.stats.bytesFetched);
    expect(warm.stats.bytesRead).toBe(cold.stats.bytesRead);
    expect(warm.stats.bytesRead).toBeLessThanOrEqual(warm.stats.tableBytes);
  });

  it("a point lookup range-reads the bloom filter of the probed column only, never the others", async () => {
    const { store, reads } = countingStore(fixture.store);
    const table = await openTable(store, { name: "events" });
    const target = groups[3]![77] as { event_id: string };
    const result = await queryTable(table, { from: "events", select: [{ kind: "expr", expr: q.col("type") }], where: q.cmp("=", q.col("event_id"), q.lit(target.event_id)) });
    expect(result.rows).toEqual([{ type: (target as unknown as { type: string }).type }]);
    expect(result.stats.bloomFiltersRead).toBeGreaterThan(0);
    const files = (await table.snapshot())!.dataFiles;
    let otherFilterBytesFetched = 0;
    for (const file of files) {
      const key = table.objectKey(file.path, "data");
      const bytes = new Uint8Array(await (await fixture.store.get(key))!.arrayBuffer());
      const footer = parseBlockFooter(bytes, bytes.length);
      const keyColumn = footer.columns.findIndex((c) => c.path.length === 1 && c.path[0] === "event_id");
      for (const r of reads.filter((x) => x.key === key && x.range !== undefined && "offset" in x.range)) {
        const range = r.range as { offset: number; length: number };
        footer.columns.forEach((c, i) => {
          if (i === keyColumn || c.bloom === null) return;
          const overlap = Math.min(range.offset + range.length, c.bloom.offset + c.bloom.length) - Math.max(range.offset, c.bloom.offset);
          if (overlap > 0) otherFilterBytesFetched += overlap;
        });
      }
    }
    expect(otherFilterBytesFetched).toBe(0);
    // After the first block the footer read reaches back to the key's filter: one request per block.
    // (The first block needs a second read for its filter; the matching block's chunk reads come on top.)
    expect(result.stats.requests).toBeLessThanOrEqual(result.stats.blocksTotal + 1 + 4 * result.stats.blocksRead);
  });

  it("COUNT(*) without WHERE takes row counts from the snapshot minus delete vectors, opening no block", async () => {
    const { store, reads } = countingStore(fixture.store);
    const table = await openTable(store, { name: "events" });
    const count: Query = { from: "events", select: [{ kind: "expr", expr: q.agg("count") }, { kind: "expr", expr: q.lit(1), alias: "one" }] };
    const result = await queryTable(table, count);
    expect(result.rows).toEqual([{ "count(*)": liveDocs.length, one: 1 }]);
    expect(reads).toEqual([]);
    expect(result.stats.blocksCountedFromMetadata).toBe(groups.length);
    expect(result.stats.bytesRead).toBe(0);
    const rows = await queryTable(table, { from: "events", select: [{ kind: "expr", expr: q.lit("x"), alias: "x" }], limit: 3 });
    expect(rows.rows).toEqual([{ x: "x" }, { x: "x" }, { x: "x" }]);
    // A WHERE needs the data: the block-by-block path, same answer.
    const filtered = await queryTable(table, { ...count, where: { kind: "isNull", expr: q.col("no_such_path"), negated: false } });
    expect(filtered.rows).toEqual(result.rows);
    expect(filtered.stats.blocksCountedFromMetadata).toBe(0);
  });

  it("COUNT(*) with equality deletes cannot trust row counts: it reads the key and LSN columns", async () => {
    const version = (id: number, lsn: number): JsonValue => ({ id, _evodb_key: `n:${id}`, _evodb_lsn: lsn });
    const { table } = await makeTable([Array.from({ length: 50 }, (_, i) => version(i, i + 1))]);
    const entries = [{ key: "n:3", lsn: 100 }, { key: "n:7", lsn: 100 }];
    const path = table.newDeleteFilePath("eqd");
    const byteSize = await table.writeFile(path, encodeEqualityDeletes(["id"], entries));
    await table.deleteRows([{ kind: "equality", path, rowCount: entries.length, byteSize }]);
    const result = await queryTable(table, { from: "events", select: [{ kind: "expr", expr: q.agg("count") }] });
    expect(result.rows).toEqual([{ "count(*)": 48 }]);
    expect(result.stats.blocksCountedFromMetadata).toBe(0);
    expect(result.stats.bytesRead).toBeGreaterThan(0);
  });

  it("evaluates WHERE on string dictionary codes and builds strings only for the rows it returns", async () => {
    const query: Query = {
      from: "events",
      select: [{ kind: "expr", expr: q.col("event_id") }, { kind: "expr", expr: q.col("type") }],
      where: q.and(q.cmp("=", q.col("type"), q.lit("purchase")), { kind: "in", expr: q.col("device", "os"), list: [q.lit("iOS"), q.lit("Android")], negated: false }),
    };
    const result = await queryTable(fixture.table, query);
    const expected = await runQuery(query, [shred(liveDocs)]);
    expect(sortRows(result.rows)).toEqual(sortRows(expected.rows));
    expect(result.rows.length).toBeGreaterThan(0);
    // `type` has a handful of distinct values per block: its chunks are dictionaries, and every
    // scanned row's `=` was answered by a table lookup on its code.
    expect(result.stats.rowsEvaluatedOnCodes).toBeGreaterThanOrEqual(result.stats.rowsScanned - DELETED.length);
    // Ids are all distinct: no dictionary, so a filter on them is evaluated row by row.
    const byId = await queryTable(fixture.table, { from: "events", select: [{ kind: "expr", expr: q.agg("count") }], where: q.cmp(">", q.col("event_id"), q.lit("")) });
    expect(byId.rows).toEqual([{ "count(*)": liveDocs.length }]);
    expect(byId.stats.rowsEvaluatedOnCodes).toBe(0);
  });
});
