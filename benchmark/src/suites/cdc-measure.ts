/**
 * Figures of the CDC section (issue 4, "Benchmark"): documents/s through the whole write path of
 * the reference app (HTTP → tenant edge Durable Object → CDC WebSocket → writer Durable Object →
 * lakehouse on local R2) with 1 and 20 tenants, the in-process baseline beside each, and freshness.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJson, type WalEntry } from "@evodb/core";
import { FsObjectStore } from "@evodb/core/node";
import { postDocs, waitCommitted } from "@evodb/example-lakehouse/dev";
import { createTable } from "@evodb/lakehouse";
import { TableWriter } from "@evodb/writer";
import type { SuiteContext } from "../harness/registry";
import { quantile } from "../harness/timing";
import { FLUSH_DELAY_MS } from "./cdc-app";

/** Table every tenant writes to. */
const TABLE = "events";
/** Documents per POST (the app accepts an array per request). */
const POST_SIZE = 50;

/** One tenant's documents as posted: dataset events, each given the "id" the app keys documents by. */
export interface TenantDocs {
  readonly tenant: string;
  /** JSON text of each document, as the edge object stores it and the writer receives it. */
  readonly texts: readonly string[];
}

/** Splits `total` documents of the dataset over `tenantCount` tenants named `<prefix><n>`. */
export function tenantDocs(ctx: SuiteContext, prefix: string, tenantCount: number, total: number): TenantDocs[] {
  const { docs } = ctx.dataset;
  const perTenant = Math.floor(total / tenantCount);
  return Array.from({ length: tenantCount }, (_, t) => ({
    tenant: `${prefix}${t}`,
    texts: Array.from({ length: perTenant }, (_, i) => {
      const position = t * perTenant + i;
      return JSON.stringify({ ...(docs[position % docs.length] as object), id: `e${position}` });
    }),
  }));
}

/** Wall-clock of one run of the whole path. */
interface PathRun {
  readonly documents: number;
  /** From the first POST until every POST was answered (documents durable in the edge objects). */
  readonly acknowledgedMs: number;
  /** From the first POST until every tenant's table has a committed snapshot holding its last LSN. */
  readonly committedMs: number;
}

/** Posts every tenant's documents (tenants concurrently, each tenant's POSTs in order), then waits for the commits. */
export async function runWholePath(url: string, tenants: readonly TenantDocs[]): Promise<PathRun> {
  const started = performance.now();
  const lastLsns = await Promise.all(tenants.map(async ({ tenant, texts }) => {
    let lastLsn = 0;
    for (let i = 0; i < texts.length; i += POST_SIZE) {
      lastLsn = await postDocs(url, tenant, TABLE, JSON.parse(`[${texts.slice(i, i + POST_SIZE).join(",")}]`) as unknown);
    }
    return lastLsn;
  }));
  const acknowledgedMs = performance.now() - started;
  await Promise.all(tenants.map(({ tenant }, i) => waitCommitted(url, tenant, TABLE, lastLsns[i]!)));
  return { documents: tenants.reduce((sum, { texts }) => sum + texts.length, 0), acknowledgedMs, committedMs: performance.now() - started };
}

/**
 * The baseline: what the writer's flush does with the same entries (examples/lakehouse
 * lakehouse-flush.ts: parse each document's JSON, one TableWriter per tenant table, add, flush),
 * in this process on FsObjectStore, each table committed in one flush (the writer Durable Object's
 * best case: its flushes take up to 10,000 entries). No Durable Objects, SQLite buffers, sockets,
 * HTTP or flush delay: the gap to it is the cost of the distributed path.
 */
export async function measureInProcessBaseline(ctx: SuiteContext, tenants: readonly TenantDocs[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "evodb-cdc-baseline-"));
  let run = 0;
  try {
    const store = new FsObjectStore(dir);
    const timing = await ctx.measure(async () => {
      const root = `run${++run}`;
      for (const { tenant, texts } of tenants) {
        const table = await createTable(store, { root: `${root}/tenants/${tenant}`, name: TABLE });
        const writer = new TableWriter(table);
        const entries: WalEntry[] = texts.map((text, i) => {
          const document = parseJson(text);
          return { table: TABLE, primaryKey: `e${i}`, lsn: i + 1, op: "insert", document, time: 0 };
        });
        await writer.add(entries);
        await writer.flush();
      }
    }, { warmupRuns: 1, minRuns: 3, minTimeMs: 0 });
    return tenants.reduce((sum, { texts }) => sum + texts.length, 0) / (timing.medianMs / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Records the throughput figures of one whole-path run with its baseline. */
export function recordThroughput(ctx: SuiteContext, label: string, run: PathRun, baselineDocsPerSecond: number, tenantCount: number): void {
  const documents = run.documents.toLocaleString("en");
  ctx.record({
    group: "Throughput", name: `${label}: acknowledged by the edge objects`, value: run.documents / (run.acknowledgedMs / 1000), unit: "docs/s", better: "higher",
    note: `${documents} documents in POSTs of ${POST_SIZE}, ${tenantCount === 1 ? "one after another" : `${tenantCount} tenants concurrently, each tenant's POSTs in order`}; one run, first POST to last answer`,
  });
  ctx.record({
    group: "Throughput", name: `${label}: committed in the lakehouse`, value: run.documents / (run.committedMs / 1000), unit: "docs/s", better: "higher",
    baseline: { name: "same entries, TableWriter in-process on FsObjectStore", value: baselineDocsPerSecond },
    note: `first POST until every tenant's snapshot holds its last LSN (${Math.round(run.committedMs).toLocaleString("en")} ms, flush delay ${FLUSH_DELAY_MS} ms); one run`,
    why: `ingest bounds it: the POSTs were answered at ${Math.round(run.documents / (run.acknowledgedMs / 1000))} docs/s (HTTP, Worker, the tenant object's SQLite transaction), and the last commit followed the last answer by ${Math.round(run.committedMs - run.acknowledgedMs).toLocaleString("en")} ms (flush delay ${FLUSH_DELAY_MS} ms)`,
  });
}

/**
 * Freshness samples in ms, sorted: a single-document POST is acknowledged by the tenant's edge
 * object; each sample is the time from that answer until the tenant's committed snapshot holds its
 * LSN (polling the snapshot route every 10 ms). Samples are sequential on an otherwise idle app, so
 * each one pays a whole flush delay.
 */
export async function measureFreshness(url: string, tenant: string, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const lsn = await postDocs(url, tenant, TABLE, { id: `f${i}`, sample: i });
    const acknowledged = performance.now();
    await waitCommitted(url, tenant, TABLE, lsn);
    latencies.push(performance.now() - acknowledged);
  }
  return latencies.sort((a, b) => a - b);
}

/** Records freshness p50 and p99 from sorted latencies. */
export function recordFreshness(ctx: SuiteContext, latencies: readonly number[]): void {
  const samples = latencies.length;
  const note = `${samples} sequential single-document writes on an idle app; includes the writer's ${FLUSH_DELAY_MS} ms flush delay (EVODB_FLUSH_DELAY_MS) and up to 10 ms of polling`;
  ctx.record({ group: "Freshness", name: "Write acknowledged → visible in a committed snapshot, p50", value: quantile(latencies, 0.5), unit: "ms", better: "lower", note });
  ctx.record({
    group: "Freshness", name: "Write acknowledged → visible in a committed snapshot, p99", value: quantile(latencies, 0.99), unit: "ms", better: "lower",
    note: `${note}; with ${samples} samples the p99 is the slowest sample`,
  });
}
