// Run: pnpm --filter @evodb/reader exec tsx examples/quickstart.ts
import { MemoryObjectStore, columnStats, parseBlockFooter, pathToName, shred, writeBlock } from "@evodb/core";
import { createTable } from "@evodb/lakehouse";
import { MemoryByteCache, q, queryTable } from "@evodb/reader";

const store = new MemoryObjectStore(); // or env.BUCKET (an R2 binding) inside a Worker
const table = await createTable(store, { name: "events" });

// Write one block the way the writer does, and commit it in a snapshot.
const docs = [
  { id: 1, user: { name: "ada", country: "GB" }, amount: 12.5 },
  { id: 2, user: { name: "linus", country: "FI" }, amount: 7 },
  { id: 3, user: { name: "grace", country: "US" }, amount: null },
  { id: 4, user: { name: "ken" } },
];
const bytes = writeBlock(shred(docs));
const path = table.newDataFilePath();
const footer = parseBlockFooter(bytes, bytes.length);
// Snapshot statistics (zone maps without block I/O) are the footer's, keyed by path name.
const stats = Object.fromEntries(columnStats(footer).map(({ path: p, type: _type, hasBloomFilter: _bloom, ...s }) => [pathToName(p), { ...s }]));
await table.append([{ path, rowCount: docs.length, byteSize: await table.writeFile(path, bytes), partition: {}, columnStats: stats }]);

// SELECT user.country, count(*), sum(amount) FROM events WHERE id > 1 GROUP BY user.country ORDER BY user.country
const result = await queryTable(
  table,
  {
    from: "events",
    select: [{ kind: "expr", expr: q.col("user", "country") }, { kind: "expr", expr: q.agg("count") }, { kind: "expr", expr: q.agg("sum", q.col("amount")) }],
    where: q.cmp(">", q.col("id"), q.lit(1)),
    groupBy: [q.col("user", "country")],
    orderBy: [{ expr: q.col("user", "country"), direction: "asc" }],
  },
  { cache: new MemoryByteCache() },
);
console.log(result.rows);
console.log(`blocks read ${result.stats.blocksRead}/${result.stats.blocksTotal}, bytes ${result.stats.bytesRead}/${result.stats.tableBytes}`);
