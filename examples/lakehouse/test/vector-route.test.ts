import { env } from "cloudflare:workers";
import { parseJson } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { vectorIndexName } from "../src/vector-route";
import { app, delivered, flushed, sqliteDocuments } from "./helpers";

const OPERATOR = "example-test-query-token";
const DIM = 16;

function post(path: string, body: unknown, token = OPERATOR): Promise<Response> {
  return app(path, { method: "POST", body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
}

function vector(random: Random): number[] {
  return Array.from({ length: DIM }, () => Math.round((random.next() * 2 - 1) * 1000) / 1000);
}

/** Exact top-k by squared euclidean distance over the tenant's own documents (its SQLite), ties by id. */
async function exactNearest(tenant: string, table: string, query: number[], k: number): Promise<{ id: string; distance: number }[]> {
  const scored: { id: string; distance: number }[] = [];
  for (const [id, json] of await sqliteDocuments(tenant, table)) {
    const embedding = (parseJson(json) as { embedding?: number[] }).embedding;
    if (!Array.isArray(embedding)) continue;
    // The index stores float32; score in float32 too so near-ties order the same way.
    const a = Float32Array.from(embedding);
    const q = Float32Array.from(query);
    let distance = 0;
    for (let j = 0; j < DIM; j++) distance += (a[j]! - q[j]!) ** 2;
    scored.push({ id, distance });
  }
  return scored.sort((x, y) => x.distance - y.distance || (x.id < y.id ? -1 : 1)).slice(0, k);
}

interface SearchBody {
  snapshotId: number;
  results: { id: string; distance: number; document: { id: string; embedding: number[]; title: string } | null }[];
  stats: { fetches: number; partitionsProbed: number };
}

describe("vector search route", () => {
  it("indexes the table's live rows and answers the exact top-k when every partition is probed", async () => {
    const tenant = "vec-acme";
    const random = new Random(20261125);
    const docs = Array.from({ length: 400 }, (_, i) => ({ id: `p${i}`, title: `product ${i}`, ...(i % 25 === 7 ? {} : { embedding: vector(random) }) }));
    expect((await app(`/tenants/${tenant}/tables/products/docs`, { method: "POST", body: JSON.stringify(docs) })).status).toBe(201);
    // A deleted document must not be found; an updated one only with its new embedding.
    await app(`/tenants/${tenant}/tables/products/docs/p0`, { method: "DELETE" });
    await app(`/tenants/${tenant}/tables/products/docs`, { method: "POST", body: JSON.stringify({ id: "p1", title: "product 1 v2", embedding: vector(random) }) });
    await delivered(tenant);
    await flushed();

    const built = await post(`/tenants/${tenant}/tables/products/index`, {});
    expect(built.status).toBe(200);
    const index = (await built.json()) as { rows: number; skipped: number; dim: number; partitions: number; snapshotId: number };
    expect(index).toMatchObject({ rows: 400 - 16 - 1, skipped: 16, dim: DIM });

    for (let q = 0; q < 12; q++) {
      const query = vector(random);
      const response = await post(`/tenants/${tenant}/tables/products/search`, { vector: query, k: 10, nprobes: index.partitions });
      expect(response.status).toBe(200);
      const body = (await response.json()) as SearchBody;
      const exact = await exactNearest(tenant, "products", query, 10);
      expect(body.results.map((r) => r.id)).toEqual(exact.map((r) => r.id));
      for (let i = 0; i < exact.length; i++) expect(body.results[i]!.distance).toBeCloseTo(exact[i]!.distance, 4);
      expect(body.snapshotId).toBe(index.snapshotId);
      expect(body.stats.partitionsProbed).toBe(index.partitions);
      expect(body.stats.fetches).toBeLessThanOrEqual(5);
      for (const result of body.results) expect(result.document).toEqual(parseJson((await sqliteDocuments(tenant, "products")).get(result.id)!));
    }

    // The updated document is found by its new embedding, at distance 0.
    const p1 = parseJson((await sqliteDocuments(tenant, "products")).get("p1")!) as { embedding: number[] };
    const exactHit = (await (await post(`/tenants/${tenant}/tables/products/search`, { vector: p1.embedding, k: 1, nprobes: index.partitions })).json()) as SearchBody;
    expect(exactHit.results[0]).toMatchObject({ id: "p1", distance: 0, document: { title: "product 1 v2" } });
  }, 120_000);

  it("a rebuild sees newer commits and keeps at most two generations of index objects", async () => {
    const tenant = "vec-rebuild";
    const random = new Random(7);
    const write = async (from: number, count: number): Promise<void> => {
      const docs = Array.from({ length: count }, (_, i) => ({ id: `d${from + i}`, embedding: vector(random) }));
      expect((await app(`/tenants/${tenant}/tables/items/docs`, { method: "POST", body: JSON.stringify(docs) })).status).toBe(201);
      await delivered(tenant);
      await flushed();
    };
    const generations: number[] = [];
    for (let round = 0; round < 3; round++) {
      await write(round * 50, 50);
      const built = (await (await post(`/tenants/${tenant}/tables/items/index`, {})).json()) as { rows: number; snapshotId: number; partitions: number };
      expect(built.rows).toBe((round + 1) * 50);
      generations.push(built.snapshotId);
      const newest = parseJson((await sqliteDocuments(tenant, "items")).get(`d${round * 50 + 49}`)!) as { embedding: number[] };
      const hit = (await (await post(`/tenants/${tenant}/tables/items/search`, { vector: newest.embedding, k: 1, nprobes: built.partitions })).json()) as SearchBody;
      expect(hit).toMatchObject({ snapshotId: built.snapshotId, results: [{ id: `d${round * 50 + 49}`, distance: 0 }] });
    }
    expect(new Set(generations).size).toBe(3);
    const objects = (await env.BUCKET.list({ prefix: `${vectorIndexName(tenant, "items", "embedding")}/` })).objects.map((o) => o.key.split("/").pop()!);
    expect(objects.filter((key) => key.startsWith("data-"))).toHaveLength(2);
    expect(objects.filter((key) => key.startsWith("keys-"))).toHaveLength(2);
    expect(objects.filter((key) => key === "header")).toHaveLength(1);
  }, 120_000);

  it("refuses what it cannot answer with a code: no index, no table, wrong dimension, bad k, no token", async () => {
    const tenant = "vec-errors";
    expect((await app(`/tenants/${tenant}/tables/t/docs`, { method: "POST", body: JSON.stringify([{ id: "a", embedding: [1, 2] }, { id: "b", embedding: [3, 4] }]) })).status).toBe(201);
    await delivered(tenant);
    await flushed();
    const cases: [string, unknown, number, string][] = [
      ["search", { vector: [1, 2] }, 404, "NOT_FOUND"],
      ["index", { field: "nothing" }, 400, "INVALID_ARGUMENT"],
      ["index", { metric: "manhattan" }, 400, "INVALID_ARGUMENT"],
    ];
    for (const [route, body, status, code] of cases) {
      const response = await post(`/tenants/${tenant}/tables/t/${route}`, body);
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ code });
    }
    expect((await post(`/tenants/${tenant}/tables/missing/index`, {})).status).toBe(404);
    expect((await post(`/tenants/${tenant}/tables/t/index`, {})).status).toBe(200);
    for (const body of [{ vector: [1, 2, 3] }, { vector: [1, 2], k: 0 }, { vector: [1, 2], k: 101 }, { vector: "1,2" }, { vector: [1, 2], nprobes: -1 }]) {
      const response = await post(`/tenants/${tenant}/tables/t/search`, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    expect((await app(`/tenants/${tenant}/tables/t/search`, { method: "POST", body: '{"vector":[1,2]}' })).status).toBe(401);
    expect((await app(`/tenants/${tenant}/tables/t/search`, { method: "POST", body: "not json", headers: { authorization: `Bearer ${OPERATOR}` } })).status).toBe(400);
    const ok = (await (await post(`/tenants/${tenant}/tables/t/search`, { vector: [3, 4.5], k: 5 })).json()) as SearchBody;
    expect(ok.results.map((r) => r.id)).toEqual(["b", "a"]);

    // Documents come back as stored, integers beyond 2^53 included.
    expect((await app(`/tenants/${tenant}/tables/t/docs`, { method: "POST", body: '{"id":"big","embedding":[9,9],"n":12345678901234567890}' })).status).toBe(201);
    await delivered(tenant);
    await flushed();
    expect((await post(`/tenants/${tenant}/tables/t/index`, {})).status).toBe(200);
    const text = await (await post(`/tenants/${tenant}/tables/t/search`, { vector: [9, 9], k: 1 })).text();
    expect(text).toContain('"document":{"id":"big","embedding":[9,9],"n":12345678901234567890}');

    // A keys object that is not JSON is reported with a code, not thrown as a SyntaxError.
    expect((await app(`/tenants/${tenant}/tables/t/docs`, { method: "POST", body: '{"id":"c","embedding":[5,5]}' })).status).toBe(201);
    await delivered(tenant);
    await flushed();
    expect((await post(`/tenants/${tenant}/tables/t/index`, {})).status).toBe(200);
    const prefix = `${vectorIndexName(tenant, "t", "embedding")}/`;
    const keysObjects = (await env.BUCKET.list({ prefix })).objects.map((o) => o.key).filter((key) => key.split("/").pop()!.startsWith("keys-"));
    for (const key of keysObjects) await env.BUCKET.put(key, '{"formatVersion":1,"keys":[');
    const corrupt = await post(`/tenants/${tenant}/tables/t/search`, { vector: [5, 5], k: 1 });
    expect(corrupt.status).toBe(500);
    expect(await corrupt.json()).toMatchObject({ code: "CORRUPT_METADATA" });
  }, 120_000);
});
