import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authenticate, mintTenantToken, refuseDocumentRequest } from "../src/tenant-token";
import { app, delivered, flushed } from "./helpers";

const OPERATOR = "example-test-query-token";

/** The README's derivation, written out again here: base64url(HMAC-SHA256(secret, "evodb-tenant-v1:" + tenant)). */
async function documentedToken(secret: string, tenant: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`evodb-tenant-v1:${tenant}`)));
  return `${tenant}.${btoa(String.fromCharCode(...mac)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

function get(path: string, token?: string): Promise<Response> {
  return app(path, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
}

function query(tenant: string, sql: string, token: string): Promise<Response> {
  return app(`/tenants/${tenant}/query`, { method: "POST", body: sql, headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" } });
}

async function mint(tenant: string, token = OPERATOR): Promise<Response> {
  return app(`/tenants/${tenant}/token`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
}

describe("tenant tokens", () => {
  it("the operator mints a tenant's token, equal to the documented derivation", async () => {
    const response = await mint("tok-acme");
    expect(response.status).toBe(200);
    const { tenant, token } = (await response.json()) as { tenant: string; token: string };
    expect(tenant).toBe("tok-acme");
    expect(token).toBe(await documentedToken(env.EVODB_TOKEN_SECRET!, "tok-acme"));
    expect(token).toBe(await mintTenantToken(env.EVODB_TOKEN_SECRET!, "tok-acme"));
    expect((await mint("tok-acme", "not-the-operator")).status).toBe(401);
    expect((await app("/tenants/tok-acme/token", { method: "POST" })).status).toBe(401);
    // A tenant token cannot mint tokens, not even its own tenant's.
    expect((await mint("tok-acme", token)).status).toBe(403);
    expect((await get("/tenants/tok-acme/token", OPERATOR)).status).toBe(404);
  });

  it("a tenant's token reads its own tables and is refused on another tenant's (403), forged ones get 401", async () => {
    for (const tenant of ["tok-a", "tok-b"]) {
      const docs = Array.from({ length: 30 }, (_, i) => ({ id: `${tenant}-${i}`, owner: tenant, n: i }));
      expect((await app(`/tenants/${tenant}/tables/notes/docs`, { method: "POST", body: JSON.stringify(docs) })).status).toBe(201);
      await delivered(tenant);
    }
    await flushed();
    const tokenA = await documentedToken(env.EVODB_TOKEN_SECRET!, "tok-a");
    const tokenB = await documentedToken(env.EVODB_TOKEN_SECRET!, "tok-b");

    const own = await query("tok-a", "SELECT owner, count(*) AS n FROM notes GROUP BY owner", tokenA);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { rows: unknown[] }).rows).toEqual([{ owner: "tok-a", n: 30 }]);
    expect((await get("/tenants/tok-a/tables", tokenA)).status).toBe(200);
    expect((await query("tok-b", "SELECT count(*) AS n FROM notes", tokenB)).status).toBe(200);

    for (const path of ["/tenants/tok-b/tables", "/tenants/tok-b/tables/notes/schema", "/tenants/tok-b/tables/notes/snapshots"]) {
      const refused = await get(path, tokenA);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: "FORBIDDEN" });
    }
    expect((await query("tok-b", "SELECT count(*) AS n FROM notes", tokenA)).status).toBe(403);
    expect((await app("/tenants/tok-b/tables/notes/search", { method: "POST", body: '{"vector":[1]}', headers: { authorization: `Bearer ${tokenA}` } })).status).toBe(403);

    // Forgeries: A's MAC under B's name, a flipped MAC character, a token from another secret, none at all.
    const macA = tokenA.slice(tokenA.indexOf(".") + 1);
    const macB = tokenB.slice(tokenB.indexOf(".") + 1);
    const flipped = `tok-b.${macB[0] === "A" ? "B" : "A"}${macB.slice(1)}`;
    const otherSecret = await documentedToken("another-secret-of-enough-length", "tok-b");
    for (const forged of [`tok-b.${macA}`, flipped, otherSecret, "tok-b", "tok-b.", ".", ""]) {
      const response = await query("tok-b", "SELECT count(*) AS n FROM notes", forged);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: "UNAUTHORIZED" });
    }
    expect((await query("tok-b", "SELECT count(*) AS n FROM notes", OPERATOR)).status).toBe(200);
  }, 120_000);

  it("without EVODB_TOKEN_SECRET only the operator token opens anything; without either nothing does", async () => {
    const token = await mintTenantToken("a-secret-of-sixteen+", "acme");
    expect(await authenticate({ EVODB_TOKEN_SECRET: "a-secret-of-sixteen+" }, token)).toEqual({ kind: "tenant", tenant: "acme" });
    expect(await authenticate({ EVODB_QUERY_TOKEN: "op" }, token)).toBeNull();
    expect(await authenticate({ EVODB_QUERY_TOKEN: "op" }, "op")).toEqual({ kind: "operator" });
    expect(await authenticate({}, "")).toBeNull();
    expect(await authenticate({ EVODB_QUERY_TOKEN: "" }, "")).toBeNull();
    // A secret too short to be safe verifies nothing (and refuses to mint).
    expect(await authenticate({ EVODB_TOKEN_SECRET: "short" }, token)).toBeNull();
    await expect(mintTenantToken("short", "acme")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(mintTenantToken("a-secret-of-sixteen+", "bad.name")).rejects.toMatchObject({ code: "INVALID_NAME" });
  });

  it("EVODB_DOCS_AUTH=tokens puts the document routes behind the same tokens; unset leaves them open", async () => {
    const secrets = { EVODB_TOKEN_SECRET: "a-secret-of-sixteen+", EVODB_QUERY_TOKEN: "op" };
    const withToken = (token?: string) => new Request("https://app/tenants/acme/tables/t/docs", token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    const acme = await mintTenantToken(secrets.EVODB_TOKEN_SECRET, "acme");
    const globex = await mintTenantToken(secrets.EVODB_TOKEN_SECRET, "globex");
    expect(await refuseDocumentRequest(secrets, withToken(), "acme")).toBeNull();
    const guarded = { ...secrets, EVODB_DOCS_AUTH: "tokens" };
    expect(await refuseDocumentRequest(guarded, withToken(acme), "acme")).toBeNull();
    expect(await refuseDocumentRequest(guarded, withToken("op"), "acme")).toBeNull();
    const missing = (await refuseDocumentRequest(guarded, withToken(), "acme"))!;
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    const other = (await refuseDocumentRequest(guarded, withToken(globex), "acme"))!;
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
  });
});
