/**
 * Measures the write path on Miniflare (`wrangler dev`, no network): documents per second from
 * the first POST until every document is in a committed lakehouse snapshot, with 1 and with 20
 * tenants, and freshness (a write acknowledged by the tenant's Durable Object → its LSN visible in
 * a committed snapshot), p50 / p99. Run: `pnpm --filter @evodb/example-lakehouse bench`.
 * Figures depend on the machine and on EVODB_FLUSH_DELAY_MS (1000 ms here, as in wrangler.jsonc).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertPortFree, postDocs, startWrangler, waitCommitted as waitCommittedOf, waitReady } from "./wrangler-dev";

const PORT = 8795;
const BASE = `http://127.0.0.1:${PORT}`;
const persistDir = mkdtempSync(join(tmpdir(), "evodb-bench-"));

const post = (tenant: string, docs: unknown): Promise<number> => postDocs(BASE, tenant, "events", docs);
const waitCommitted = (tenant: string, lsn: number): Promise<void> => waitCommittedOf(BASE, tenant, "events", lsn);

/** Writes `perTenant` documents to each tenant in POSTs of 50, then waits until all are committed. */
async function throughput(label: string, tenants: string[], perTenant: number): Promise<void> {
  const started = performance.now();
  const lastLsns = await Promise.all(tenants.map(async (tenant) => {
    let lastLsn = 0;
    for (let chunk = 0; chunk * 50 < perTenant; chunk++) {
      const docs = Array.from({ length: 50 }, (_, i) => ({ id: `${chunk}-${i}`, tenant, value: chunk * 50 + i, label: `event ${i}` }));
      lastLsn = await post(tenant, docs);
    }
    return lastLsn;
  }));
  const written = performance.now();
  await Promise.all(tenants.map((tenant, i) => waitCommitted(tenant, lastLsns[i]!)));
  const committed = performance.now();
  const total = tenants.length * perTenant;
  console.log(`${label}: ${total} docs, acknowledged by the tenants at ${Math.round(total / ((written - started) / 1000))} docs/s, committed on R2 at ${Math.round(total / ((committed - started) / 1000))} docs/s (${Math.round(committed - started)} ms)`);
}

async function freshness(samples: number): Promise<void> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const lsn = await post("fresh", { id: `f${i}`, i });
    const acknowledged = performance.now();
    await waitCommitted("fresh", lsn);
    latencies.push(performance.now() - acknowledged);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
  console.log(`freshness (write acknowledged → in a committed snapshot), ${samples} samples: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
}

await assertPortFree(PORT);
const wrangler = startWrangler({ port: PORT, inspectorPort: 9395, persistDir, vars: { EVODB_CDC_SECRET: "bench-secret-0123456789abcdef" } });
try {
  await waitReady(BASE, wrangler.process);
  await throughput("1 tenant", ["solo"], 5000);
  await throughput("20 tenants", Array.from({ length: 20 }, (_, t) => `t${t}`), 500);
  await freshness(40);
} finally {
  await wrangler.stop();
  rmSync(persistDir, { recursive: true, force: true });
}
