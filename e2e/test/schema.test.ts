import { committedLsn, postDocs, request, waitCommitted } from "@evodb/example-lakehouse/dev";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, readDocs, sql, startApp, tenantToken, type RunningApp } from "../src/app";

interface RefusedBody {
  error: { code: string; message: string; details: { index: number; violations: { path: string[]; expected: string; actual: string }[] } };
}

describe("a locked schema under wrangler dev", () => {
  let app: RunningApp;
  const tenant = "schema-shop";
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("refuses a document that breaks the locked schema with a clear error, stores nothing of its request, and keeps accepting good ones", async () => {
    const token = await tenantToken(tenant);
    const docs = Array.from({ length: 30 }, (_, i) => ({ id: `l${i}`, sku: `s${i}`, qty: i + 1, price: { amount: 9.5 + i, currency: "EUR" } }));
    await waitCommitted(app.url, tenant, "lines", await postDocs(app.url, tenant, "lines", docs));

    // Lock the schema the table inferred from its documents (PUT .../schema, what `evodb push --url` sends).
    const current = (await (await request(`${app.url}/tenants/${tenant}/tables/lines/schema`, { headers: bearer(token) })).json()) as { schema: { locked: boolean; version: number } };
    expect(current.schema.locked).toBe(false);
    const locked = { ...current.schema, locked: true, version: current.schema.version + 1 };
    const put = await request(`${app.url}/tenants/${tenant}/tables/lines/schema`, { method: "PUT", body: JSON.stringify({ schema: locked }), headers: { ...bearer(token), "content-type": "application/json" } });
    expect(put.status).toBe(200);
    const afterLock = (await (await request(`${app.url}/tenants/${tenant}/tables/lines/schema`, { headers: bearer(token) })).json()) as { schema: { locked: boolean } };
    expect(afterLock.schema.locked).toBe(true);
    const lsnBefore = await committedLsn(app.url, tenant, "lines");

    const bad = [{ id: "ok1", sku: "s100", qty: 1, price: { amount: 1, currency: "EUR" } }, { id: "bad1", sku: "s101", qty: "three", price: { amount: 2, currency: "EUR" } }];
    const refused = await request(`${app.url}/tenants/${tenant}/tables/lines/docs`, { method: "POST", body: JSON.stringify(bad) });
    expect(refused.status).toBe(422);
    const { error } = (await refused.json()) as RefusedBody;
    expect(error.code).toBe("SCHEMA_MISMATCH");
    expect(error.message).toContain('Document 1 (id "bad1")');
    expect(error.message).toContain('"qty": expected int, got string');
    expect(error.details.violations).toEqual([{ path: ["qty"], expected: "int", actual: "string" }]);

    const nested = await request(`${app.url}/tenants/${tenant}/tables/lines/docs`, { method: "POST", body: JSON.stringify({ id: "bad2", sku: "s102", qty: 2, price: { amount: 3, currency: "EUR", discount: 0.1 } }) });
    expect(nested.status).toBe(422);
    expect(((await nested.json()) as RefusedBody).error.message).toContain('"price.discount": expected no field, got float');

    // Nothing of the refused requests was stored: not in the tenant's store, not in the lakehouse.
    for (const id of ["ok1", "bad1", "bad2"]) expect((await request(`${app.url}/tenants/${tenant}/tables/lines/docs/${id}`)).status).toBe(404);
    expect((await readDocs(app.url, tenant, "lines")).size).toBe(30);
    // Refused at the door, so the writer never saw them: nothing under its dead letters either.
    const rejected = await request(`${app.url}/tenants/${tenant}/tables/lines/rejected`, { headers: bearer(token) });
    expect(await rejected.json()).toEqual({ table: "lines", rejected: [], truncated: false });

    const good = await postDocs(app.url, tenant, "lines", { id: "l30", sku: "s30", qty: 31, price: { amount: 1.25, currency: "USD" } });
    expect(good).toBeGreaterThan(lsnBefore);
    await waitCommitted(app.url, tenant, "lines", good);
    const counts = await sql<{ n: number; skus: number }>(app.url, tenant, "SELECT count(*) AS n, count(DISTINCT sku) AS skus FROM lines WHERE id IN ('l30', 'ok1', 'bad1', 'bad2')", token);
    expect(counts.rows).toEqual([{ n: 1, skus: 1 }]);
    expect((await sql<{ n: number }>(app.url, tenant, "SELECT count(*) AS n FROM lines", token)).rows).toEqual([{ n: 31 }]);
  });
});
