import { env } from "cloudflare:workers";
import { inferSchema, setLocked } from "@evodb/core";
import { createTable, openTable, type Json } from "@evodb/lakehouse";
import { describe, expect, it } from "vitest";
import { tenantRoot } from "../src/lakehouse-flush";
import { app, delivered, flushed, lakehouseDocuments, sqliteDocuments, tenantStore } from "./helpers";

function postDocs(tenant: string, table: string, docs: unknown): Promise<Response> {
  return app(`/tenants/${tenant}/tables/${table}/docs`, { method: "POST", body: JSON.stringify(docs) });
}

describe("a locked schema at the app's door", () => {
  it("refuses a batch holding a document that breaks the schema with 422, naming the path and type, and stores none of it", async () => {
    const tenant = "door-locked";
    const schema = setLocked(inferSchema([{ id: "a", qty: 1, customer: { name: "x" } }]), true);
    await createTable(env.BUCKET, { root: tenantRoot(tenant), name: "lines", schema: schema as unknown as Json });

    const refused = await postDocs(tenant, "lines", [{ id: "a", qty: 1, customer: { name: "ann" } }, { id: "b", qty: "many", customer: { name: "bob" } }]);
    expect(refused.status).toBe(422);
    const { error } = (await refused.json()) as { error: { code: string; message: string; details: { index: number; violations: { path: string[]; expected: string; actual: string }[] } } };
    expect(error.code).toBe("SCHEMA_MISMATCH");
    expect(error.message).toContain('Document 1 (id "b") of the request was refused');
    expect(error.message).toContain('"qty": expected int, got string');
    expect(error.details.index).toBe(1);
    expect(error.details.violations).toEqual([{ path: ["qty"], expected: "int", actual: "string" }]);
    // Nothing of the batch reached the tenant's store (so nothing reaches the CDC either).
    expect((await sqliteDocuments(tenant, "lines")).size).toBe(0);
    expect(await tenantStore(tenant).cdcStatus()).toMatchObject({ lastLsn: 0 });

    const unknownMember = await postDocs(tenant, "lines", { id: "c", qty: 2, customer: { name: "cy", vip: true } });
    expect(unknownMember.status).toBe(422);
    expect(((await unknownMember.json()) as { error: { message: string } }).error.message).toContain('"customer.vip": expected no field, got bool');

    const accepted = await postDocs(tenant, "lines", [{ id: "a", qty: 1, customer: { name: "ann" } }, { id: "d", qty: 4, customer: { name: "dee" } }]);
    expect(accepted.status).toBe(201);
    await delivered(tenant);
    await flushed();
    expect([...(await lakehouseDocuments(tenant, "lines")).keys()].sort()).toEqual(["a", "d"]);
    expect(await env.BUCKET.list({ prefix: `dead-letter/${tenant}/` })).toMatchObject({ objects: [] });
  }, 120_000);

  it("a flexible table, a table not created yet and an unlocked one accept any document", async () => {
    const tenant = "door-flexible";
    expect((await postDocs(tenant, "t", { id: "a", qty: 1 })).status).toBe(201);
    await delivered(tenant);
    await flushed();
    expect((await postDocs(tenant, "t", { id: "b", qty: "many" })).status).toBe(201);
    await delivered(tenant);
    await flushed();
    expect((await lakehouseDocuments(tenant, "t")).size).toBe(2);

    // Lock it, see a refusal, unlock it, see the same document accepted.
    const table = await openTable(env.BUCKET, { root: tenantRoot(tenant), name: "t" });
    const current = (await table.schema()).schema as unknown as ReturnType<typeof inferSchema>;
    await table.evolveSchema(setLocked(current, true) as unknown as Json);
    expect((await postDocs(tenant, "t", { id: "c", qty: true })).status).toBe(422);
    await table.evolveSchema(setLocked(current, false) as unknown as Json);
    expect((await postDocs(tenant, "t", { id: "c", qty: true })).status).toBe(201);
    // Bodies the tenant's store refuses keep its own errors.
    expect((await app(`/tenants/${tenant}/tables/t/docs`, { method: "POST", body: "{not json" })).status).toBe(400);
  }, 120_000);
});
