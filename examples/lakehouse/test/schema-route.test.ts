import { env } from "cloudflare:workers";
import { checkSchema, inferSchema, setLocked, type Schema, type SchemaDiff } from "@evodb/core";
import { openTable } from "@evodb/lakehouse";
import { describe, expect, it } from "vitest";
import { tenantRoot } from "../src/lakehouse-flush";
import { mintTenantToken } from "../src/tenant-token";
import { app } from "./helpers";

const OPERATOR = "example-test-query-token";

function putSchema(tenant: string, table: string, body: unknown, token: string): Promise<Response> {
  return app(`/tenants/${tenant}/tables/${table}/schema`, { method: "PUT", body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
}

function getVersion(tenant: string, table: string, schemaId: number, token: string): Promise<Response> {
  return app(`/tenants/${tenant}/tables/${table}/schemas/${schemaId}`, { headers: { authorization: `Bearer ${token}` } });
}

describe("schema routes (PUT .../schema, GET .../schemas/:id)", () => {
  it("declares a locked schema on a table that does not exist yet; the same schema again changes nothing", async () => {
    const tenant = "schema-declare";
    const token = await mintTenantToken(env.EVODB_TOKEN_SECRET!, tenant);
    const schema = setLocked(inferSchema([{ id: "a", qty: 1 }]), true);
    const declared = await putSchema(tenant, "orders", { schema }, token);
    expect(declared.status).toBe(200);
    const { schemaId, changed } = (await declared.json()) as { schemaId: number; changed: boolean };
    expect(changed).toBe(true);
    // What the lakehouse now holds, read without the route.
    const table = await openTable(env.BUCKET, { root: tenantRoot(tenant), name: "orders" });
    expect(await table.schema()).toEqual({ schemaId, schema });

    const again = await putSchema(tenant, "orders", { schema }, token);
    expect(await again.json()).toEqual({ schemaId, changed: false });

    const version = await getVersion(tenant, "orders", schemaId, token);
    expect(version.status).toBe(200);
    expect(await version.json()).toEqual({ table: "orders", schemaId, schema });
    const missing = await getVersion(tenant, "orders", schemaId + 5, token);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses a breaking change with 409 and the diff unless force, which adds a version", async () => {
    const tenant = "schema-breaking";
    const original: Schema = inferSchema([{ id: "a", qty: 1, note: "x" }]);
    const first = (await (await putSchema(tenant, "lines", { schema: original }, OPERATOR)).json()) as { schemaId: number };
    const dropped: Schema = { ...original, version: original.version + 1, fields: original.fields.filter((f) => f.path[0] !== "note") };

    const refused = await putSchema(tenant, "lines", { schema: dropped }, OPERATOR);
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { code: string; details: { currentSchemaId: number; diff: SchemaDiff } };
    expect(body.code).toBe("SCHEMA_BREAKING_CHANGE");
    expect(body.details.currentSchemaId).toBe(first.schemaId);
    expect(body.details.diff.classification).toBe("breaking");
    expect(body.details.diff.changes).toMatchObject([{ kind: "removed", path: ["note"], breaking: true }]);
    const table = await openTable(env.BUCKET, { root: tenantRoot(tenant), name: "lines" });
    expect((await table.schema()).schemaId).toBe(first.schemaId);

    const forced = await putSchema(tenant, "lines", { schema: dropped, force: true }, OPERATOR);
    expect(forced.status).toBe(200);
    const { schemaId } = (await forced.json()) as { schemaId: number };
    expect(schemaId).toBeGreaterThan(first.schemaId);
    expect(checkSchema((await table.schema()).schema)).toEqual(dropped);
    // Both versions stay readable.
    expect(((await (await getVersion(tenant, "lines", first.schemaId, OPERATOR)).json()) as { schema: unknown }).schema).toEqual(original);
  });

  it("takes the query routes' tokens only, and refuses bodies that are not a schema", async () => {
    const tenant = "schema-auth";
    const schema = inferSchema([{ id: "a" }]);
    expect((await putSchema(tenant, "t", { schema }, "wrong")).status).toBe(401);
    expect((await app(`/tenants/${tenant}/tables/t/schema`, { method: "PUT", body: JSON.stringify({ schema }) })).status).toBe(401);
    const otherTenant = await putSchema(tenant, "t", { schema }, await mintTenantToken(env.EVODB_TOKEN_SECRET!, "schema-other"));
    expect(otherTenant.status).toBe(403);
    expect((await getVersion(tenant, "t", 0, "wrong")).status).toBe(401);
    // Nothing was created by the refused requests.
    expect(await env.BUCKET.list({ prefix: `${tenantRoot(tenant)}/` })).toMatchObject({ objects: [] });

    const notJson = await app(`/tenants/${tenant}/tables/t/schema`, { method: "PUT", body: "{", headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: "INVALID_ARGUMENT" });
    const notSchema = await putSchema(tenant, "t", { schema: { formatVersion: 1, fields: "no" } }, OPERATOR);
    expect(notSchema.status).toBe(400);
    expect(await notSchema.json()).toMatchObject({ code: "CORRUPT_METADATA" });
    const futureFormat = await putSchema(tenant, "t", { schema: { ...schema, formatVersion: 2 } }, OPERATOR);
    expect(futureFormat.status).toBe(400);
    expect(await futureFormat.json()).toMatchObject({ code: "UNSUPPORTED_VERSION" });
    expect((await putSchema(tenant, "t", { schema, force: "yes" }, OPERATOR)).status).toBe(400);
    expect((await putSchema(tenant, "a%2Fb", { schema }, OPERATOR)).status).toBe(400);
  });
});
