import { beforeAll, describe, expect, it } from "vitest";
import { MemoryObjectStore, columnStats, parseBlockFooter, pathToName, shred, writeBlock, type JsonValue } from "@evodb/core";
import { createTable } from "@evodb/lakehouse";
import { createQueryApi } from "../src/index";

const TOKEN = "test-token-123";
const store = new MemoryObjectStore();
const api = createQueryApi({ store, token: TOKEN, tenantOf: (request) => request.headers.get("x-tenant") ?? undefined });

function call(path: string, init: { method?: string; body?: string; headers?: Record<string, string>; tenant?: string; token?: string } = {}) {
  return api(
    new Request(`https://api.test${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      ...(init.body === undefined ? {} : { body: init.body }),
      headers: { authorization: `Bearer ${init.token ?? TOKEN}`, "x-tenant": init.tenant ?? "acme", ...init.headers },
    }),
  );
}

beforeAll(async () => {
  const table = await createTable(store, { root: "acme", name: "orders" });
  const docs: JsonValue[] = Array.from({ length: 300 }, (_, i) => ({ id: i, status: ["open", "paid"][i % 2]!, total: i % 50 }));
  for (const part of [docs.slice(0, 150), docs.slice(150)]) {
    const bytes = writeBlock(shred(part));
    const path = table.newDataFilePath();
    const footer = parseBlockFooter(bytes, bytes.length);
    const stats = Object.fromEntries(columnStats(footer).map(({ path: p, type: _t, hasBloomFilter: _b, ...s }) => [pathToName(p), { ...s }]));
    await table.append([{ path, rowCount: part.length, byteSize: await table.writeFile(path, bytes), partition: {}, columnStats: stats }]);
  }
  await createTable(store, { root: "globex", name: "invoices" });
});

describe("query HTTP API", () => {
  it("refuses a request without the token", async () => {
    const response = await call("/tables", { token: "wrong" });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe("UNAUTHORIZED");
  });

  it("answers SQL with JSON rows and stats", async () => {
    const response = await call("/query", { body: "SELECT status, count(*) AS n, sum(total) FROM orders GROUP BY status ORDER BY status" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { columns: string[]; rows: unknown[]; stats: { blocksTotal: number } };
    expect(body.columns).toEqual(["status", "n", "sum(total)"]);
    expect(body.rows).toEqual([
      { status: "open", n: 150, "sum(total)": 3600 },
      { status: "paid", n: 150, "sum(total)": 3750 },
    ]);
    expect(body.stats.blocksTotal).toBe(2);
  });

  it("streams NDJSON rows then a stats line when asked", async () => {
    const response = await call("/query", { body: JSON.stringify({ sql: "SELECT id FROM orders WHERE total = 7" }), headers: { "content-type": "application/json", accept: "application/x-ndjson" } });
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await response.text()).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, -1)).toEqual([7, 57, 107, 157, 207, 257].map((id) => ({ id })));
    expect(lines.at(-1)).toHaveProperty("stats.rowsReturned", 6);
  });

  it("scopes tables to the tenant", async () => {
    expect(await (await call("/tables")).json()).toEqual({ tables: ["orders"] });
    expect(await (await call("/tables", { tenant: "globex" })).json()).toEqual({ tables: ["invoices"] });
    const foreign = await call("/query", { tenant: "globex", body: "SELECT count(*) FROM orders" });
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { code: string }).code).toBe("NOT_FOUND");
    expect((await call("/tables", { tenant: "../acme" })).status).toBe(400);
  });

  it("serves snapshots, schema and EXPLAIN", async () => {
    const snapshots = (await (await call("/tables/orders/snapshots")).json()) as { snapshots: unknown[]; currentSnapshotId: number };
    expect(snapshots.snapshots).toHaveLength(2);
    const schema = (await (await call("/tables/orders/schema")).json()) as { schemaId: number };
    expect(schema.schemaId).toBe(0);
    const plan = (await (await call("/explain", { body: "SELECT id FROM orders WHERE id = 200" })).json()) as { blocks: { toRead: number; prunedByZoneMap: number } };
    expect(plan.blocks).toMatchObject({ toRead: 1, prunedByZoneMap: 1 });
  });

  it("reports parse errors with their position and code", async () => {
    const response = await call("/query", { body: "SELECT FROM orders" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "QUERY_PARSE", details: { line: 1, column: 8 } });
    expect((await call("/nope")).status).toBe(404);
  });
});
