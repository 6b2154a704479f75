import { committedLsn, postDocs, request, waitCommitted } from "@evodb/example-lakehouse/dev";
import { Random } from "@evodb/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, readDocs, sql, startApp, tenantToken, type RunningApp } from "../src/app";

/** Seeded order documents with nested members, arrays and some absent fields. */
function orders(seed: number, from: number, count: number): Record<string, unknown>[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `o${from + i}`,
    total: random.int(1, 500),
    status: ["new", "paid", "shipped"][random.int(0, 2)],
    customer: { country: ["DE", "FR", "US", "JP"][random.int(0, 3)], vip: random.chance(0.2) },
    lines: Array.from({ length: random.int(0, 3) }, () => ({ sku: `s${random.int(1, 40)}`, qty: random.int(1, 5) })),
    ...(random.chance(0.3) ? { note: `note ${i}` } : {}),
  }));
}

/** A document as the query engine returns it for `SELECT *`: the document's own members. */
function withoutInternals(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([name]) => !name.startsWith("_evodb_")));
}

function byId(rows: Record<string, unknown>[]): Map<string, Record<string, unknown>> {
  return new Map(rows.map((row) => [String(row.id), withoutInternals(row)]));
}

describe("the write path and the query API under wrangler dev", () => {
  let app: RunningApp;
  const tenants = ["pipe-a", "pipe-b", "pipe-c"];
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("documents written through the tenants' Durable Objects come back from SQL exactly as GET /docs returns them", async () => {
    const lastLsns = await Promise.all(tenants.map(async (tenant, t) => {
      const docs = orders(100 + t, 0, 240);
      let lsn = 0;
      for (let i = 0; i < docs.length; i += 60) lsn = await postDocs(app.url, tenant, "orders", docs.slice(i, i + 60));
      // Updates and deletes go through the same path and must be what queries see.
      lsn = await postDocs(app.url, tenant, "orders", orders(900 + t, 0, 20).map((doc) => ({ ...doc, status: "updated" })));
      for (const id of ["o30", "o31", "o32"]) {
        const response = await request(`${app.url}/tenants/${tenant}/tables/orders/docs/${id}`, { method: "DELETE" });
        lsn = ((await response.json()) as { lsn: number }).lsn;
      }
      return lsn;
    }));
    await Promise.all(tenants.map((tenant, t) => waitCommitted(app.url, tenant, "orders", lastLsns[t]!)));

    for (const [t, tenant] of tenants.entries()) {
      const token = await tenantToken(tenant);
      const stored = await readDocs(app.url, tenant, "orders");
      // What this test wrote, with its updates and deletes applied, is what the tenant holds...
      const written = new Map(orders(100 + t, 0, 240).map((doc) => [doc.id as string, doc]));
      for (const doc of orders(900 + t, 0, 20)) written.set(doc.id as string, { ...doc, status: "updated" });
      for (const id of ["o30", "o31", "o32"]) written.delete(id);
      expect(stored).toEqual(written);
      // ...and what SQL reads from the lakehouse.
      const all = await sql(app.url, tenant, "SELECT * FROM orders", token);
      expect(byId(all.rows)).toEqual(stored);

      // An aggregate over a nested path, against the same documents counted here.
      const expected = new Map<string, { n: number; sum: number }>();
      for (const doc of stored.values()) {
        const country = (doc.customer as { country: string }).country;
        if ((doc.total as number) < 100) continue;
        const group = expected.get(country) ?? { n: 0, sum: 0 };
        expected.set(country, { n: group.n + 1, sum: group.sum + (doc.total as number) });
      }
      const grouped = await sql<{ country: string; n: number; s: number }>(app.url, tenant, "SELECT customer.country AS country, count(*) AS n, sum(total) AS s FROM orders WHERE total >= 100 GROUP BY customer.country", token);
      expect(new Map(grouped.rows.map((row) => [row.country, { n: row.n, sum: row.s }]))).toEqual(expected);
      const updated = await sql<{ n: number }>(app.url, tenant, "SELECT count(*) AS n FROM orders WHERE status = 'updated'", token);
      expect(updated.rows[0]!.n).toBe([...stored.values()].filter((doc) => doc.status === "updated").length);
    }
  });

  it("time travel: an earlier snapshot shows the rows as they were when it was committed", async () => {
    const tenant = "pipe-travel";
    const token = await tenantToken(tenant);
    await waitCommitted(app.url, tenant, "orders", await postDocs(app.url, tenant, "orders", orders(7, 0, 80)));
    const before = await readDocs(app.url, tenant, "orders");
    const snapshot = (await (await request(`${app.url}/tenants/${tenant}/tables/orders/snapshot`)).json()) as { snapshotId: number; lastLsn: number };
    expect(snapshot.lastLsn).toBe(await committedLsn(app.url, tenant, "orders"));

    let lsn = await postDocs(app.url, tenant, "orders", [...orders(8, 60, 40).map((doc) => ({ ...doc, status: "later" }))]);
    for (const id of ["o1", "o2"]) lsn = ((await (await request(`${app.url}/tenants/${tenant}/tables/orders/docs/${id}`, { method: "DELETE" })).json()) as { lsn: number }).lsn;
    await waitCommitted(app.url, tenant, "orders", lsn);
    const after = await readDocs(app.url, tenant, "orders");
    expect(after.size).toBe(80 + 20 - 2);

    expect(byId((await sql(app.url, tenant, `SELECT * FROM orders FOR SNAPSHOT AS OF ${snapshot.snapshotId}`, token)).rows)).toEqual(before);
    expect(byId((await sql(app.url, tenant, "SELECT * FROM orders", token)).rows)).toEqual(after);
    const history = (await (await request(`${app.url}/tenants/${tenant}/tables/orders/snapshots`, { headers: bearer(token) })).json()) as { snapshots: { snapshotId: number }[] };
    expect(history.snapshots.map((s) => s.snapshotId)).toContain(snapshot.snapshotId);
    expect(history.snapshots.at(-1)!.snapshotId).toBeGreaterThan(snapshot.snapshotId);
  });

  it("vector search over a table's embeddings answers the exact top k when every partition is probed", async () => {
    const tenant = "pipe-vectors";
    const token = await tenantToken(tenant);
    const random = new Random(99);
    const docs = Array.from({ length: 150 }, (_, i) => ({ id: `v${i}`, label: `item ${i}`, embedding: Array.from({ length: 8 }, () => Math.round((random.next() * 2 - 1) * 1000) / 1000) }));
    await waitCommitted(app.url, tenant, "items", await postDocs(app.url, tenant, "items", docs));
    const call = async <T>(route: string, body: unknown): Promise<T> => {
      const response = await request(`${app.url}/tenants/${tenant}/tables/items/${route}`, { method: "POST", body: JSON.stringify(body), headers: { ...bearer(token), "content-type": "application/json" } });
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    };
    const built = await call<{ rows: number; partitions: number }>("index", {});
    expect(built.rows).toBe(150);

    const stored = await readDocs(app.url, tenant, "items");
    for (let q = 0; q < 5; q++) {
      const query = Array.from({ length: 8 }, () => random.next() * 2 - 1);
      // Brute force over the documents as GET /docs returns them, in float32 like the index.
      const q32 = Float32Array.from(query);
      const exact = [...stored.values()]
        .map((doc) => ({ id: doc.id as string, distance: Float32Array.from(doc.embedding as number[]).reduce((sum, x, j) => sum + (x - q32[j]!) ** 2, 0) }))
        .sort((a, b) => a.distance - b.distance)
        .slice(0, 5);
      const found = await call<{ results: { id: string; distance: number; document: Record<string, unknown> }[] }>("search", { vector: query, k: 5, nprobes: built.partitions });
      expect(found.results.map((r) => r.id)).toEqual(exact.map((r) => r.id));
      for (const result of found.results) expect(result.document).toEqual(stored.get(result.id));
    }
  });
});
