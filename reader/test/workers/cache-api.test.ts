import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "@evodb/core";
import { createTable } from "@evodb/lakehouse";
import { generateEvents } from "@evodb/test-utils";
import { CacheApiByteCache, q, queryTable, type Query } from "../../src/index";
import { writeBlocks } from "../lakehouse-fixture";

// Real R2 and the real Cache API inside workerd: nothing here is faked.
async function makeTable(name: string) {
  const docs = generateEvents({ count: 1500, seed: 9 }) as unknown as JsonValue[];
  const table = await createTable(env.READER_BUCKET, { name });
  await table.append(await writeBlocks(table, [docs.slice(0, 500), docs.slice(500, 1000), docs.slice(1000)]));
  return { table, docs };
}

const query: Query = {
  from: "events",
  select: [{ kind: "expr", expr: q.col("type") }, { kind: "expr", expr: q.agg("count") }],
  where: q.cmp(">", q.col("latency_ms"), q.lit(30)),
  groupBy: [q.col("type")],
  orderBy: [{ expr: q.col("type"), direction: "asc" }],
};

describe("CacheApiByteCache (workerd, caches.default, R2)", () => {
  it("a second identical query reads no block from R2", async () => {
    const { table, docs } = await makeTable(`cache-hit-${crypto.randomUUID()}`);
    const cache = new CacheApiByteCache(caches.default, "reader-test-bucket");
    const cold = await queryTable(table, query, { cache });
    const warm = await queryTable(table, query, { cache });
    expect(cold.stats.requests).toBeGreaterThan(0);
    expect(warm.stats.requests).toBe(0);
    expect(warm.stats.bytesFetched).toBe(0);
    expect(warm.stats.cacheHits).toBeGreaterThan(0);
    expect(warm.rows).toEqual(cold.rows);
    const total = cold.rows.reduce((sum, r) => sum + (r["count(*)"] as number), 0);
    expect(total).toBe(docs.filter((d) => (d as { latency_ms: number }).latency_ms > 30).length);
  });

  it("namespaces keep the entries of different buckets apart", async () => {
    const { table } = await makeTable(`cache-ns-${crypto.randomUUID()}`);
    await queryTable(table, query, { cache: new CacheApiByteCache(caches.default, "bucket-a") });
    const other = await queryTable(table, query, { cache: new CacheApiByteCache(caches.default, "bucket-b") });
    expect(other.stats.cacheHits).toBe(0);
    expect(other.stats.requests).toBeGreaterThan(0);
  });
});
