import { parseJson } from "@evodb/core";
import { describe, expect, it } from "vitest";
import { app, delivered, flushed, sqliteDocuments } from "./helpers";

const TOKEN = "example-test-query-token";

function query(tenant: string, sql: string, token = TOKEN): Promise<Response> {
  return app(`/tenants/${tenant}/query`, { method: "POST", body: sql, headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" } });
}

describe("query route", () => {
  it("answers SQL over the tenant's committed table, equal to the tenant's SQLite, and only for that tenant", async () => {
    const tenant = "query-acme";
    const docs = Array.from({ length: 90 }, (_, i) => ({ id: `o${i}`, total: (i * 37) % 101, customer: { country: ["DE", "FR", "US"][i % 3] } }));
    expect((await app(`/tenants/${tenant}/tables/orders/docs`, { method: "POST", body: JSON.stringify(docs) })).status).toBe(201);
    await delivered(tenant);
    await flushed();

    // The reference: the documents as the tenant's own SQLite Durable Object holds them.
    const expected = new Map<string, { count: number; sum: number }>();
    for (const json of (await sqliteDocuments(tenant, "orders")).values()) {
      const doc = parseJson(json) as { total: number; customer: { country: string } };
      if (doc.total < 50) continue;
      const group = expected.get(doc.customer.country) ?? { count: 0, sum: 0 };
      expected.set(doc.customer.country, { count: group.count + 1, sum: group.sum + doc.total });
    }

    const response = await query(tenant, "SELECT customer.country AS country, count(*) AS n, sum(total) AS s FROM orders WHERE total >= 50 GROUP BY customer.country");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { rows: { country: string; n: number; s: number }[]; stats: { blocksTotal: number; rowsReturned: number } };
    expect(new Map(body.rows.map((row) => [row.country, { count: row.n, sum: row.s }]))).toEqual(expected);
    expect(body.stats.blocksTotal).toBeGreaterThan(0);

    const tables = await app(`/tenants/${tenant}/tables`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await tables.json()).toEqual({ tables: ["orders"] });

    // Another tenant's path resolves the same name under its own root: the table is not there.
    const other = await query("query-other", "SELECT count(*) FROM orders");
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: "NOT_FOUND" });
    expect((await query(tenant, "SELECT count(*) FROM orders", "wrong-token")).status).toBe(401);
    expect((await app(`/tenants/${tenant}/query`, { method: "POST", body: "SELECT 1 FROM orders" })).status).toBe(401);
  }, 120_000);
});
