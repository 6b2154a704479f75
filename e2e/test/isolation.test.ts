import { postDocs, request, waitCommitted } from "@evodb/example-lakehouse/dev";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_SECRETS, bearer, readDocs, sql, startApp, tenantToken, type RunningApp } from "../src/app";

describe("tenant isolation of tokens under wrangler dev", () => {
  let app: RunningApp;
  beforeAll(async () => {
    // The document routes behind the tokens too (off by default; README "Tokens").
    app = await startApp({ vars: { EVODB_DOCS_AUTH: "tokens" } });
    for (const tenant of ["iso-a", "iso-b"]) {
      const docs = Array.from({ length: 40 }, (_, i) => ({ id: `${tenant}-${i}`, owner: tenant, secret: `${tenant} secret ${i}`, embedding: [i, i % 7, tenant === "iso-a" ? 1 : -1] }));
      await waitCommitted(app.url, tenant, "private", await postDocs(app.url, tenant, "private", docs, bearer(await tenantToken(tenant))));
    }
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("a tenant's token reads its own tables and gets 403 on every read route of another tenant", async () => {
    const tokenA = await tenantToken("iso-a");
    const own = await sql<{ owner: string; n: number }>(app.url, "iso-a", "SELECT owner, count(*) AS n FROM private GROUP BY owner", tokenA);
    expect(own.rows).toEqual([{ owner: "iso-a", n: 40 }]);

    const routes: [string, RequestInit][] = [
      ["/tenants/iso-b/query", { method: "POST", body: "SELECT secret FROM private" }],
      ["/tenants/iso-b/explain", { method: "POST", body: "SELECT secret FROM private" }],
      ["/tenants/iso-b/tables", {}],
      ["/tenants/iso-b/tables/private/schema", {}],
      ["/tenants/iso-b/tables/private/snapshots", {}],
      ["/tenants/iso-b/tables/private/index", { method: "POST", body: "{}" }],
      ["/tenants/iso-b/tables/private/search", { method: "POST", body: '{"vector":[1,1,-1]}' }],
      ["/tenants/iso-b/token", { method: "POST" }],
    ];
    for (const [path, init] of routes) {
      const response = await request(`${app.url}${path}`, { ...init, headers: { ...bearer(tokenA), "content-type": "text/plain" } });
      const body = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(body).toContain("FORBIDDEN");
      expect(body).not.toContain("iso-b secret");
    }
  });

  it("with EVODB_DOCS_AUTH=tokens, a tenant's token cannot read, write or delete another tenant's documents", async () => {
    const tokenA = await tenantToken("iso-a");
    expect((await readDocs(app.url, "iso-a", "private", tokenA)).size).toBe(40);
    const attempts: [string, RequestInit, number][] = [
      ["/tenants/iso-b/tables/private/docs/iso-b-1", { headers: bearer(tokenA) }, 403],
      ["/tenants/iso-b/tables/private/docs?limit=10", { headers: bearer(tokenA) }, 403],
      ["/tenants/iso-b/tables/private/docs", { method: "POST", body: '{"id":"planted","owner":"iso-a"}', headers: bearer(tokenA) }, 403],
      ["/tenants/iso-b/tables/private/docs/iso-b-2", { method: "DELETE", headers: bearer(tokenA) }, 403],
      ["/tenants/iso-b/tables/private/docs/iso-b-1", {}, 401],
      ["/tenants/iso-b/tables/private/docs", { method: "POST", body: '{"id":"planted"}' }, 401],
    ];
    for (const [path, init, status] of attempts) {
      const response = await request(`${app.url}${path}`, init);
      const body = await response.text();
      expect({ path, method: init.method ?? "GET", status: response.status }).toEqual({ path, method: init.method ?? "GET", status });
      expect(body).not.toContain("iso-b secret");
    }
    // Nothing was planted or deleted: B's documents are exactly the 40 it wrote.
    const b = await readDocs(app.url, "iso-b", "private", await tenantToken("iso-b"));
    expect([...b.keys()].sort()).toEqual(Array.from({ length: 40 }, (_, i) => `iso-b-${i}`).sort());
    expect((await readDocs(app.url, "iso-b", "private", APP_SECRETS.EVODB_QUERY_TOKEN)).size).toBe(40);
  });

  it("no token, a forged token or a token signed with another secret gets 401; the operator token opens both tenants", async () => {
    const tokenA = await tenantToken("iso-a");
    const forged = [
      "",
      `iso-b.${tokenA.slice(tokenA.indexOf(".") + 1)}`,
      await tenantToken("iso-b", "a-different-secret-0123456789"),
      `${(await tenantToken("iso-b")).slice(0, -2)}AA`,
      APP_SECRETS.EVODB_TOKEN_SECRET,
    ];
    for (const token of forged) {
      const response = await request(`${app.url}/tenants/iso-b/query`, { method: "POST", body: "SELECT count(*) AS n FROM private", headers: token === "" ? {} : bearer(token) });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: "UNAUTHORIZED" });
    }
    for (const tenant of ["iso-a", "iso-b"]) {
      expect((await sql<{ n: number }>(app.url, tenant, "SELECT count(*) AS n FROM private")).rows).toEqual([{ n: 40 }]);
    }
  });

  it("the operator mints a tenant's token through the app, and it equals the documented derivation", async () => {
    const response = await request(`${app.url}/tenants/iso-b/token`, { method: "POST", headers: bearer() });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    expect(token).toBe(await tenantToken("iso-b"));
    const own = await sql<{ n: number }>(app.url, "iso-b", "SELECT count(*) AS n FROM private WHERE owner = 'iso-b'", token);
    expect(own.rows).toEqual([{ n: 40 }]);
  });
});
