import { postDocs, waitCommitted } from "@evodb/example-lakehouse/dev";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDocs, sql, startApp, type RunningApp } from "../src/app";

function events(tenant: string, from: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${tenant}-${from + i}`, seq: from + i, kind: (from + i) % 3 === 0 ? "click" : "view", payload: { n: (from + i) * 7 } }));
}

describe("restarting wrangler dev on persisted state", () => {
  let app: RunningApp;
  const tenants = ["restart-a", "restart-b"];
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Rows in the lakehouse per tenant must equal the documents written: none lost, none twice. */
  async function expectExactlyOnce(expected: number): Promise<void> {
    for (const tenant of tenants) {
      const stored = await readDocs(app.url, tenant, "events");
      expect(stored.size).toBe(expected);
      const counts = await sql<{ rows: number; ids: number; seqs: number }>(app.url, tenant, "SELECT count(*) AS rows, count(DISTINCT id) AS ids, sum(seq) AS seqs FROM events");
      expect(counts.rows).toEqual([{ rows: expected, ids: expected, seqs: (expected * (expected - 1)) / 2 }]);
    }
  }

  it("committed data survives a restart, and documents accepted but not yet committed are committed once after it", async () => {
    const committed = await Promise.all(tenants.map((tenant) => postDocs(app.url, tenant, "events", events(tenant, 0, 200))));
    await Promise.all(tenants.map((tenant, t) => waitCommitted(app.url, tenant, "events", committed[t]!)));

    // Accepted by the tenants' Durable Objects (in their SQLite WAL), then the process tree is
    // stopped at once: wherever CDC and the writer's flush were, they resume from persisted state.
    const pending: number[] = [];
    for (const tenant of tenants) {
      let lsn = 0;
      for (let from = 200; from < 400; from += 50) lsn = await postDocs(app.url, tenant, "events", events(tenant, from, 50));
      pending.push(lsn);
    }
    await app.restart();
    await Promise.all(tenants.map((tenant, t) => waitCommitted(app.url, tenant, "events", pending[t]!)));
    await expectExactlyOnce(400);

    // The restarted app keeps taking writes, with LSNs that continue where they were.
    const more = await Promise.all(tenants.map((tenant) => postDocs(app.url, tenant, "events", events(tenant, 400, 100))));
    expect(more).toEqual([500, 500]);
    await Promise.all(tenants.map((tenant, t) => waitCommitted(app.url, tenant, "events", more[t]!)));
    await expectExactlyOnce(500);
  });
});
