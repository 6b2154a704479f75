// Run: pnpm --filter @evodb/query exec tsx examples/quickstart.ts
import { MemoryObjectStore, columnStats, parseBlockFooter, pathToName, shred, writeBlock } from "@evodb/core";
import { createTable } from "@evodb/lakehouse";
import { MemoryByteCache } from "@evodb/reader";
import { QueryEngine } from "@evodb/query";

const store = new MemoryObjectStore(); // or env.BUCKET (an R2 binding) inside a Worker
const table = await createTable(store, { name: "orders" });
for (let block = 0; block < 4; block++) {
  const docs = Array.from({ length: 1000 }, (_, i) => ({
    id: block * 1000 + i,
    customer: { name: `c${(block * 1000 + i) % 97}`, "vip level": i % 3 },
    total: ((block * 1000 + i) * 7) % 500,
    status: i % 10 === 0 ? null : ["open", "paid", "shipped"][i % 3],
  }));
  const bytes = writeBlock(shred(docs));
  const path = table.newDataFilePath();
  const footer = parseBlockFooter(bytes, bytes.length);
  const stats = Object.fromEntries(columnStats(footer).map(({ path: p, type: _type, hasBloomFilter: _bloom, ...s }) => [pathToName(p), { ...s }]));
  await table.append([{ path, rowCount: docs.length, byteSize: await table.writeFile(path, bytes), partition: {}, columnStats: stats }]);
}

const engine = new QueryEngine({ openTable: async () => table, cache: new MemoryByteCache(), limits: { maxRows: 10_000 } });
const { rows, stats } = await engine.query(`
  SELECT status, count(*) AS n, avg(total), count(DISTINCT customer.name)
  FROM orders WHERE customer."vip level" >= 1 AND id BETWEEN 500 AND 2500
  GROUP BY status ORDER BY n DESC`);
console.log(rows, `${stats.blocksRead}/${stats.blocksTotal} blocks read`);

const plan = await engine.execute("EXPLAIN SELECT customer.name FROM orders WHERE id = 3141");
if (plan.kind === "explain") console.log(plan.text);
