/** The CDC section (issue 4): the whole write path of the reference app on Miniflare. */
import { postDocs, waitCommitted } from "@evodb/example-lakehouse/dev";
import { registerSuite } from "../harness/registry";
import { FLUSH_DELAY_MS, startBenchApp, withOneRetry } from "./cdc-app";
import { measureFreshness, measureInProcessBaseline, recordFreshness, recordThroughput, runWholePath, tenantDocs } from "./cdc-measure";

/** Documents per throughput run: long enough for several flushes, short enough for ~3 minutes in all. */
const DOCUMENTS = 4000;
const MANY_TENANTS = 20;
const FRESHNESS_SAMPLES = 25;

registerSuite({
  id: "cdc",
  title: "CDC write path: tenant Durable Objects to the lakehouse on Miniflare",
  order: 25,
  description:
    "The reference app (examples/lakehouse) under `wrangler dev`, offline on 127.0.0.1 with local R2 and " +
    "Durable Object storage in a temporary directory: documents are POSTed to the Worker, stored with a WAL " +
    "entry by each tenant's edge Durable Object, shipped over the CDC WebSocket to the writer Durable Object " +
    "(durable SQLite buffer, then acknowledged), and flushed by its alarm through TableWriter into each tenant's " +
    `lakehouse table. Dataset event documents (each given an \"id\"); writer flush delay ${FLUSH_DELAY_MS} ms. ` +
    "Throughput runs happen once each, after an untimed warm-up write, so they are single wall-clock samples. " +
    "The baseline hands the same documents straight to TableWriter on FsObjectStore in this process (the " +
    "writer's own flush code, without Durable Objects, SQLite buffers, sockets, HTTP or flush delay, one flush " +
    "per table): the ratio is what the distributed path costs on top of writing blocks and committing.",
  async run(ctx) {
    // Tenant names carry the attempt (see withOneRetry); the baseline uses the first attempt's documents.
    const solo = (attempt: number) => tenantDocs(ctx, `solo${attempt}-`, 1, DOCUMENTS);
    const many = (attempt: number) => tenantDocs(ctx, `t${attempt}-`, MANY_TENANTS, DOCUMENTS);
    ctx.log("in-process baselines");
    const soloBaseline = await measureInProcessBaseline(ctx, solo(0));
    const manyBaseline = await measureInProcessBaseline(ctx, many(0));

    ctx.log("starting the reference app under wrangler dev");
    const app = await startBenchApp();
    try {
      // Builds the Worker and creates the writer object and a first table, outside every timing.
      await waitCommitted(app.url, "warmup", "events", await postDocs(app.url, "warmup", "events", { id: "w" }));
      ctx.log(`whole path, 1 tenant, ${DOCUMENTS} documents`);
      const soloRun = await withOneRetry(ctx.log, "1 tenant", (attempt) => runWholePath(app.url, solo(attempt)));
      recordThroughput(ctx, "1 tenant", soloRun, soloBaseline, 1);
      ctx.log(`whole path, ${MANY_TENANTS} tenants, ${DOCUMENTS} documents`);
      const manyRun = await withOneRetry(ctx.log, `${MANY_TENANTS} tenants`, (attempt) => runWholePath(app.url, many(attempt)));
      recordThroughput(ctx, `${MANY_TENANTS} tenants`, manyRun, manyBaseline, MANY_TENANTS);
      ctx.log(`freshness, ${FRESHNESS_SAMPLES} samples`);
      recordFreshness(ctx, await withOneRetry(ctx.log, "freshness", (attempt) => measureFreshness(app.url, `fresh${attempt}`, FRESHNESS_SAMPLES)));
    } finally {
      await app.stop();
    }
  },
});
