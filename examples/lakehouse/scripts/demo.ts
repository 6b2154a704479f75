/**
 * `pnpm demo`: EvoDB end to end on this machine, with no network. Starts this app under
 * `wrangler dev` (state persisted in `.wrangler/demo-state-v2`), writes seeded product-analytics events
 * for 12 tenants through the real write path (tenant Durable Objects → CDC → writer Durable Object →
 * lakehouse on local R2), plus 600 products with 32-d embeddings for acme, waits until every
 * document is in a committed snapshot, then runs SQL through the query route (with acme's own
 * tenant token) and prints rows, timings and pruning stats, builds a vector index over the products
 * and runs a vector search. The server stays up (Ctrl-C ends it); `--once` stops it and exits. `--fresh` starts from empty state; `--docs N` sets the
 * documents per tenant (default 400); `--port P` the port (default 8787).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { EvoDBError } from "@evodb/core";
import { generateEvents } from "@evodb/test-utils";
import { categoryCentroids, generateProducts, PRODUCT_DIM, queryNear } from "./products";
import { assertPortFree, committedLsn, postDocs, request, startWrangler, waitCommitted, waitReady } from "./wrangler-dev";

const TABLE = "events";
/** The operator token (every tenant; mints tenant tokens). Queries below use acme's own token. */
const OPERATOR_TOKEN = "demo-query-token";
const PRODUCTS = "products";
const PRODUCT_COUNT = 600;
const PRODUCT_SEED = 4242;
/** Acme's tenant token once minted (POST /tenants/acme/token); the operator token until then. */
let TOKEN = OPERATOR_TOKEN;
const TENANTS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell", "cyberdyne", "soylent", "oscorp"];
const BATCH = 50;

const args = process.argv.slice(2);
const once = args.includes("--once");
const portArg = args.indexOf("--port");
const PORT = portArg >= 0 ? Number(args[portArg + 1]) : 8787;
if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) throw new EvoDBError("INVALID_ARGUMENT", "--port needs a TCP port number, e.g. --port 8787");
const BASE = `http://127.0.0.1:${PORT}`;
const docsArg = args.indexOf("--docs");
const perTenant = docsArg >= 0 ? Number(args[docsArg + 1]) : 400;
if (!Number.isInteger(perTenant) || perTenant < 1) throw new EvoDBError("INVALID_ARGUMENT", "--docs needs a positive whole number of documents per tenant, e.g. --docs 400");

// The suffix follows the .evodb block format version (docs/format.md): state saved by a demo that
// wrote older blocks is left alone instead of being read by readers that refuse its version.
const stateDir = new URL("../.wrangler/demo-state-v2", import.meta.url).pathname;
if (args.includes("--fresh")) rmSync(stateDir, { recursive: true, force: true });
mkdirSync(stateDir, { recursive: true });
const logFile = join(stateDir, "wrangler.log");

const started = performance.now();
const seconds = (from: number): string => `${((performance.now() - from) / 1000).toFixed(1)} s`;

try {
  await assertPortFree(PORT);
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(`EvoDB demo: starting wrangler dev on ${BASE} (offline; state in ${stateDir})`);
const wrangler = startWrangler({
  port: PORT,
  // Any free port: 9229 (the default) may be taken by another wrangler or node --inspect.
  inspectorPort: PORT <= 64_935 ? PORT + 600 : PORT - 600,
  persistDir: stateDir,
  vars: { EVODB_CDC_SECRET: "demo-cdc-secret-0123456789abcdef", EVODB_QUERY_TOKEN: OPERATOR_TOKEN, EVODB_TOKEN_SECRET: "demo-token-secret-0123456789abcdef" },
  logFile,
});
let stopping = false;
const shutdown = async (code: number): Promise<never> => {
  if (!stopping) {
    stopping = true;
    await wrangler.stop();
  }
  process.exit(code);
};
process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));

try {
  await waitReady(BASE, wrangler.process);
  console.log(`ready after ${seconds(started)}`);
  await load();
  await loadProducts();
  TOKEN = await mintToken(TENANTS[0]!);
  await runQueries();
  await vectorSearch();
  console.log(`\ndemo took ${seconds(started)}`);
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)} (wrangler's log: ${logFile})`);
  await shutdown(1);
}

if (once) {
  await shutdown(0);
} else {
  console.log(`\nThe app is still running at ${BASE} (Ctrl-C stops it).`);
  console.log(`Query console: ${BASE}/ (tenant acme with the token above, or any tenant with ${OPERATOR_TOKEN}). Or try:`);
  console.log(`  curl -X POST ${BASE}/tenants/acme/query -H 'authorization: Bearer ${TOKEN}' -d 'SELECT type, count(*) FROM events GROUP BY type'`);
  console.log(`  curl ${BASE}/tenants/acme/tables -H 'authorization: Bearer ${TOKEN}'`);
  console.log(`  curl -X POST ${BASE}/tenants/acme/tables/${PRODUCTS}/search -H 'authorization: Bearer ${TOKEN}' -d '{"vector":[${new Array(PRODUCT_DIM).fill("0.1").join(",")}],"k":3}'`);
  console.log(`  (acme's token opens acme only; the operator token ${OPERATOR_TOKEN} opens every tenant)`);
}

/** Writes each tenant's events (skipping tenants a previous run already committed), then waits for the commits. */
async function load(): Promise<void> {
  const loadStarted = performance.now();
  const committed = await Promise.all(TENANTS.map((tenant) => committedLsn(BASE, tenant, TABLE)));
  // LSNs count a tenant's writes from 1, one per document: a tenant at perTenant is fully loaded.
  const todo = TENANTS.filter((_, t) => committed[t]! < perTenant);
  const total = todo.length * perTenant;
  if (todo.length === 0) {
    console.log(`data already loaded (${TENANTS.length} tenants x ${perTenant} events, committed); use --fresh to load again`);
    return;
  }
  console.log(`loading ${total} events for ${todo.length} tenants (${todo.join(", ")}) through the tenants' Durable Objects`);
  let acknowledged = 0;
  const progress = setInterval(() => report(`  ${acknowledged}/${total} documents acknowledged by the tenants (${Math.round(acknowledged / ((performance.now() - loadStarted) / 1000))} docs/s)`), 1000);
  try {
    const lastLsns = await Promise.all(todo.map(async (tenant) => {
      // Each tenant has its own deterministic stream; `id` is the key the document store uses.
      const events = generateEvents({ count: perTenant, seed: 1000 + TENANTS.indexOf(tenant) }).map((event) => ({ id: event.event_id, ...event }));
      let lastLsn = 0;
      for (let i = 0; i < events.length; i += BATCH) {
        lastLsn = await postDocs(BASE, tenant, TABLE, events.slice(i, i + BATCH));
        acknowledged += Math.min(BATCH, events.length - i);
      }
      return lastLsn;
    }));
    report(`  ${total}/${total} documents acknowledged in ${seconds(loadStarted)}; waiting for the writer to commit them to R2`);
    let done = 0;
    clearInterval(progress);
    const commitProgress = setInterval(() => report(`  ${done}/${todo.length} tenants committed`), 1000);
    try {
      await Promise.all(todo.map(async (tenant, t) => {
        await waitCommitted(BASE, tenant, TABLE, lastLsns[t]!, 100);
        done++;
      }));
    } finally {
      clearInterval(commitProgress);
    }
    report(`  all ${total} documents committed in ${seconds(loadStarted)} (${Math.round(total / ((performance.now() - loadStarted) / 1000))} docs/s end to end)`);
  } finally {
    clearInterval(progress);
  }
  if (process.stdout.isTTY) process.stdout.write("\n");
}

/** Progress on one rewritten line in a terminal, one line per report otherwise. */
function report(line: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${line}`);
  else console.log(line);
}

interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
  stats: {
    snapshotId: number | null;
    blocksTotal: number;
    blocksPrunedByPartition: number;
    blocksPrunedByZoneMap: number;
    blocksPrunedByBloom: number;
    blocksRead: number;
    tableBytes: number;
    bytesRead: number;
    cacheHits: number;
    rowsScanned: number;
    elapsedMs: { total: number };
  };
}

async function sql(tenant: string, text: string, token = TOKEN): Promise<QueryResult & { wallMs: number }> {
  const sent = performance.now();
  const response = await request(`${BASE}/tenants/${tenant}/query`, { method: "POST", body: text, headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" } });
  const body = await response.text();
  if (!response.ok) throw new EvoDBError("INTERNAL", `The demo query failed (HTTP ${response.status}): ${body}\n${text}`);
  return { ...(JSON.parse(body) as QueryResult), wallMs: performance.now() - sent };
}

/** Runs one query and prints it, its rows as a table, its timings and what the planner skipped. */
async function show(title: string, tenant: string, text: string): Promise<QueryResult> {
  const result = await sql(tenant, text);
  const s = result.stats;
  console.log(`\n── ${title} (tenant ${tenant})\n${text}`);
  console.table(result.rows.map((row) => Object.fromEntries(result.columns.map((column) => [column, format(row[column])]))));
  console.log(
    `  ${result.rows.length} rows · ${s.elapsedMs.total.toFixed(1)} ms in the engine, ${result.wallMs.toFixed(1)} ms over HTTP · snapshot ${s.snapshotId}` +
      `\n  blocks: ${s.blocksTotal} total, pruned ${s.blocksPrunedByPartition} by partition / ${s.blocksPrunedByZoneMap} by zone map / ${s.blocksPrunedByBloom} by bloom, ${s.blocksRead} read` +
      ` · ${s.rowsScanned} rows scanned · ${kib(s.bytesRead)} of ${kib(s.tableBytes)} read, ${s.cacheHits} cache hits`,
  );
  return result;
}

function format(value: unknown): unknown {
  if (typeof value === "number" && !Number.isInteger(value)) return Math.round(value * 100) / 100;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return value;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function runQueries(): Promise<void> {
  const tenant = TENANTS[0]!;
  await show("group-by: events per type", tenant,
    "SELECT type, count(*) AS events, count(DISTINCT session_id) AS sessions, avg(latency_ms) AS avg_latency_ms FROM events GROUP BY type ORDER BY events DESC LIMIT 8");
  await show("filter on nested paths: latest mobile events from Germany", tenant,
    "SELECT id, ts, type, device.os AS os, geo.city AS city, page.path AS path FROM events WHERE geo.country = 'DE' AND device.mobile = true ORDER BY ts DESC LIMIT 5");
  await show("group-by on nested paths: purchases by currency", tenant,
    "SELECT currency, count(*) AS purchases, sum(revenue) AS revenue, max(revenue) AS largest FROM events WHERE type = 'purchase' GROUP BY currency ORDER BY revenue DESC");

  // received_at grows with the ingest order, so each block covers a time range: zone maps skip the older blocks.
  const acmeEvents = generateEvents({ count: perTenant, seed: 1000 });
  const since = acmeEvents[Math.floor(perTenant * 0.8)]!.received_at;
  await show("recent window: top pages in the last 20% of the stream", tenant,
    `SELECT page.path AS path, count(*) AS views, count(DISTINCT user.id) AS users FROM events WHERE received_at >= ${since} AND type = 'page_view' GROUP BY page.path ORDER BY views DESC LIMIT 5`);

  // Time travel: the table as it was at an earlier snapshot, next to how it is now.
  const snapshots = await request(`${BASE}/tenants/${tenant}/tables/${TABLE}/snapshots`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const { snapshots: list } = (await snapshots.json()) as { snapshots: { snapshotId: number }[] };
  const earlier = list[Math.floor((list.length - 1) / 2)]!.snapshotId;
  await show(`time travel: snapshot ${earlier} of ${list.length}`, tenant, `SELECT count(*) AS events, max(received_at) AS last_received_at FROM events FOR SNAPSHOT AS OF ${earlier}`);
  await show("the same, now", tenant, "SELECT count(*) AS events, max(received_at) AS last_received_at FROM events");

  // A point lookup of a key in the middle of the data: zone maps cannot exclude random UUIDs, bloom filters can.
  const key = acmeEvents[Math.floor(perTenant / 2)]!.event_id;
  await show("point lookup by id", tenant, `SELECT id, type, ts, user.id AS user_id, page.path AS path, device.browser AS browser FROM events WHERE id = '${key}'`);

  // Acme's token cannot read the other tenants (403); the operator token can.
  const totals = await Promise.all(TENANTS.map(async (name) => Number((await sql(name, "SELECT count(*) AS n FROM events", OPERATOR_TOKEN)).rows[0]!.n)));
  console.log(`\n${TENANTS.length} tenants, ${totals.reduce((a, b) => a + b, 0)} events in the lakehouse (${totals.join(" + ")})`);
}

/** Acme's own token, minted by the app for the operator: it opens acme's routes and no other tenant's. */
async function mintToken(tenant: string): Promise<string> {
  const response = await request(`${BASE}/tenants/${tenant}/token`, { method: "POST", headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  if (!response.ok) throw new EvoDBError("INTERNAL", `Minting ${tenant}'s token failed (HTTP ${response.status}): ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  console.log(`\n${tenant}'s tenant token (POST /tenants/${tenant}/token with the operator token): ${token}`);
  return token;
}

/** Writes acme's product catalogue (skipped when a previous run committed it) and waits for the commit. */
async function loadProducts(): Promise<void> {
  const tenant = TENANTS[0]!;
  if ((await committedLsn(BASE, tenant, PRODUCTS)) >= PRODUCT_COUNT) return;
  const started = performance.now();
  const products = generateProducts(PRODUCT_COUNT, PRODUCT_SEED);
  let lastLsn = 0;
  for (let i = 0; i < products.length; i += 100) lastLsn = await postDocs(BASE, tenant, PRODUCTS, products.slice(i, i + 100));
  await waitCommitted(BASE, tenant, PRODUCTS, lastLsn, 100);
  console.log(`loaded ${PRODUCT_COUNT} products with ${PRODUCT_DIM}-d embeddings for ${tenant} in ${seconds(started)}`);
}

async function postJson<T>(path: string, body: unknown): Promise<T & { wallMs: number }> {
  const sent = performance.now();
  const response = await request(`${BASE}${path}`, { method: "POST", body: JSON.stringify(body), headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" } });
  const text = await response.text();
  if (!response.ok) throw new EvoDBError("INTERNAL", `POST ${path} failed (HTTP ${response.status}): ${text}`);
  return { ...(JSON.parse(text) as T), wallMs: performance.now() - sent };
}

/** Builds the IVF + SQ8 index over acme's product embeddings, then finds the products nearest a "coffee" query vector. */
async function vectorSearch(): Promise<void> {
  const tenant = TENANTS[0]!;
  const built = await postJson<{ rows: number; dim: number; partitions: number; snapshotId: number; bytes: { header: number; data: number }; elapsedMs: number }>(
    `/tenants/${tenant}/tables/${PRODUCTS}/index`, { field: "embedding", metric: "cosine" },
  );
  console.log(`\n── vector index over ${PRODUCTS}.embedding (tenant ${tenant})`);
  console.log(
    `  ${built.rows} vectors x ${built.dim} dims from snapshot ${built.snapshotId} · ${built.partitions} IVF partitions, SQ8 codes + float32 re-rank · ` +
      `header ${kib(built.bytes.header)}, data ${kib(built.bytes.data)} in R2 · built in ${built.elapsedMs.toFixed(1)} ms (${built.wallMs.toFixed(1)} ms over HTTP)`,
  );
  const vector = queryNear(categoryCentroids(PRODUCT_SEED).get("coffee")!, 7);
  const result = await postJson<{ results: { id: string; distance: number; document: { name: string; category: string; price: number } | null }[]; stats: { fetches: number; bytesRead: number; partitionsProbed: number; searchMs: number; elapsedMs: number } }>(
    `/tenants/${tenant}/tables/${PRODUCTS}/search`, { vector, k: 5 },
  );
  console.log(`\n── vector search: the 5 products nearest a query vector near the "coffee" cluster (cosine distance)`);
  console.table(result.results.map((hit) => ({ id: hit.id, distance: Math.round(hit.distance * 10_000) / 10_000, name: hit.document?.name, category: hit.document?.category, price: hit.document?.price })));
  const s = result.stats;
  console.log(
    `  ${s.searchMs.toFixed(1)} ms to search (${s.partitionsProbed} partitions probed, ${s.fetches} R2 reads, ${kib(s.bytesRead)}), ` +
      `${s.elapsedMs.toFixed(1)} ms with the documents, ${result.wallMs.toFixed(1)} ms over HTTP`,
  );
}
