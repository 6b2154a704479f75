/**
 * Measures the write path on Miniflare (`wrangler dev`, no network): documents per second from
 * the first POST until every document is in a committed lakehouse snapshot, with 1 and with 20
 * tenants, and freshness (a write acknowledged by the tenant's Durable Object → its LSN visible in
 * a committed snapshot), p50 / p99. Run: `pnpm --filter @evodb/example-lakehouse bench`.
 * Figures depend on the machine and on EVODB_FLUSH_DELAY_MS (1000 ms here, as in wrangler.jsonc).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PORT = 8795;
const BASE = `http://127.0.0.1:${PORT}`;
const persistDir = mkdtempSync(join(tmpdir(), "evodb-bench-"));

function startWrangler(): ReturnType<typeof spawn> {
  // The wrangler binary itself (not `npx`), so that killing this child ends wrangler's whole tree.
  return spawn(
    new URL("../../../node_modules/.bin/wrangler", import.meta.url).pathname,
    ["dev", "--ip", "127.0.0.1", "--port", String(PORT), "--inspector-port", "9395", "--persist-to", persistDir, "--var", "EVODB_CDC_SECRET:bench-secret-0123456789abcdef"],
    {
      cwd: new URL("..", import.meta.url).pathname,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_ERROR_REPORTS: "false" },
      stdio: "ignore",
    },
  );
}

async function waitReady(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      await fetch(`${BASE}/`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error("wrangler dev did not start");
}

/** Posts documents; returns the highest LSN they got. */
async function post(tenant: string, docs: unknown): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${BASE}/tenants/${tenant}/tables/events/docs`, { method: "POST", body: JSON.stringify(docs) });
    // `wrangler dev` restarts the Worker when a watched source file changes (other work in the
    // repository): such a POST may not have happened, so send it again (documents are keyed by id).
    if (response.status === 503 && attempt < 5) continue;
    if (response.status !== 201) throw new Error(`POST ${tenant}: HTTP ${response.status} ${await response.text()}`);
    const results = (await response.json()) as { lsn: number } | { lsn: number }[];
    return Math.max(...(Array.isArray(results) ? results : [results]).map((r) => r.lsn));
  }
}

async function committedLsn(tenant: string): Promise<number> {
  const response = await fetch(`${BASE}/tenants/${tenant}/tables/events/snapshot`);
  if (response.status === 404) return 0;
  return ((await response.json()) as { lastLsn: number | null }).lastLsn ?? 0;
}

async function waitCommitted(tenant: string, lsn: number): Promise<void> {
  for (let i = 0; i < 12_000; i++) {
    if ((await committedLsn(tenant)) >= lsn) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`tenant ${tenant} never committed LSN ${lsn}`);
}

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

const wrangler = startWrangler();
try {
  await waitReady();
  await throughput("1 tenant", ["solo"], 5000);
  await throughput("20 tenants", Array.from({ length: 20 }, (_, t) => `t${t}`), 500);
  await freshness(40);
} finally {
  wrangler.kill("SIGTERM");
  rmSync(persistDir, { recursive: true, force: true });
}
