import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isEvoDBError } from "@evodb/core";
import { WIRE_VERSION, parseNodeResponse, planFanOut, runChain, type ChainNodeOptions, type PartialOf } from "../../src/index";
import { mapPartition, testMap, testReducer, type TestQuery } from "./aggregation";

// The root runs here, in the test's workerd isolate; every subrequest goes through the real CHAIN
// service binding to the test Worker, which serves the rest of the tree.
const options: ChainNodeOptions<PartialOf<typeof testReducer>, ReturnType<typeof testReducer.finalize>> = {
  reducer: testReducer,
  map: testMap,
  fetch: (request) => env.CHAIN.fetch(request),
  baseDelayMs: 5,
};

// Generous deadlines: the machine running the suite is shared, and a deadline that fires because the
// host is busy would test the host, not the chain.
const SLACK = { timeoutMs: 30_000 };

/** The same aggregation computed on one node, partition by partition, in order. */
function singleNode(seed: number, partitions: number, skip: readonly number[] = []) {
  let acc = testReducer.empty();
  for (let p = 0; p < partitions; p++) if (!skip.includes(p)) acc = testReducer.merge(acc, mapPartition(seed, p));
  return testReducer.finalize(acc);
}

describe("snippets-chain in workerd over a service binding", () => {
  it("a 125-partition aggregation through a 3-level tree equals the same aggregation on one node", async () => {
    const query: TestQuery = { seed: 11 };
    const answer = await runChain(options, { query, partitions: 125, fanOut: 5, ...SLACK });
    const reference = singleNode(11, 125);
    expect(answer.partial).toBe(false);
    expect(answer.missing).toEqual([]);
    expect(answer.result).toEqual(reference);
    expect(answer.result.rows).toBeGreaterThan(1000);
    expect(answer.result.users).toBeGreaterThan(200); // past the exact limit: the HLL path was taken
    expect(planFanOut(125).levels).toBe(3);
    expect(answer.stats.nodes).toBe(1 + 5 + 25 + 125);
    expect(answer.stats.subrequests).toBe(5 + 25 + 125);
    expect(answer.stats.maxNodeSubrequests).toBe(5);
  });

  it("the root can itself be a Worker: a node request over HTTP answers with the wire format", async () => {
    const res = await env.CHAIN.fetch("https://chain.test/", {
      method: "POST",
      body: JSON.stringify({ v: WIRE_VERSION, reducer: testReducer.kind, query: { seed: 3 }, range: [0, 30], fanOut: 5, partitionsPerLeaf: 2, failure: "fail", timeoutMs: 10_000, attempts: 1, level: 0 }),
    });
    expect(res.status).toBe(200);
    const body = parseNodeResponse(await res.json());
    if (!body.ok) throw new Error(body.error.message);
    expect(testReducer.finalize(testReducer.decode(body.result))).toEqual(singleNode(3, 30));
    expect(body.stats.nodes).toBe(1 + 3 + 15);
  });

  it("a flaky leaf is retried within the budget (fan-out 4 leaves one subrequest per node for a retry)", async () => {
    const query: TestQuery = { seed: 14, flaky: [5, 99], runId: crypto.randomUUID() };
    const answer = await runChain(options, { query, partitions: 125, fanOut: 4, attempts: 2, ...SLACK });
    expect(answer.partial).toBe(false);
    expect(answer.result).toEqual(singleNode(14, 125));
    expect(answer.stats.retries).toBe(2);
    expect(answer.stats.maxNodeSubrequests).toBeLessThanOrEqual(5);
  });

  it("with fan-out 5 there is no subrequest left for a retry: the node refuses to exceed its budget", async () => {
    const query: TestQuery = { seed: 15, flaky: [7], runId: crypto.randomUUID() };
    const answer = await runChain(options, { query, partitions: 125, fanOut: 5, attempts: 3, failure: "partial", ...SLACK });
    expect(answer.missingPartitions).toEqual([7]);
    expect(answer.stats.retries).toBe(0);
    expect(answer.stats.maxNodeSubrequests).toBe(5);
  });

  it('a failing leaf with failure "fail" gives an EvoDBError naming the failed partitions', async () => {
    const query: TestQuery = { seed: 12, fail: [17, 38] };
    const error = await runChain(options, { query, partitions: 40, failure: "fail", ...SLACK }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isEvoDBError(error, "STORAGE_ERROR")).toBe(true);
    expect((error as Error).message).toMatch(/partitions 17, 38 failed/);
    expect((error as { details: { missing: unknown } }).details.missing).toEqual([[17, 18], [38, 39]]);
  });

  it('a failing leaf with failure "partial" answers without it, flagged, and exact over the rest', async () => {
    const query: TestQuery = { seed: 13, fail: [0, 20, 39] };
    const answer = await runChain(options, { query, partitions: 40, failure: "partial", ...SLACK });
    expect(answer.partial).toBe(true);
    expect(answer.missingPartitions).toEqual([0, 20, 39]);
    expect(answer.result).toEqual(singleNode(13, 40, [0, 20, 39]));
  });

  it("a leaf that does not answer in time times out: TIMEOUT with fail, missing with partial", async () => {
    const query: TestQuery = { seed: 16, slow: [4] };
    const error = await runChain(options, { query, partitions: 10, timeoutMs: 12_000, attempts: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isEvoDBError(error, "TIMEOUT")).toBe(true);
    expect((error as Error).message).toMatch(/partitions 4 failed/);
    const answer = await runChain(options, { query, partitions: 10, timeoutMs: 12_000, attempts: 1, failure: "partial" });
    expect(answer.missingPartitions).toEqual([4]);
    expect(answer.result).toEqual(singleNode(16, 10, [4]));
  });

  it("a plan that does not fit the budget is refused before any subrequest", async () => {
    for (const [query, budget] of [
      [{ partitions: 126, maxDepth: 3 }, "depth"],
      [{ partitions: 125, fanOut: 5, maxDepth: 4 }, "subrequests"],
    ] as const) {
      const narrow = { ...options, budget: budget === "subrequests" ? { maxSubrequests: 3 } : {} };
      const error = await runChain(narrow, { query: { seed: 1 }, ...query }).then(() => null, (e: unknown) => e);
      expect(isEvoDBError(error, "LIMIT_EXCEEDED")).toBe(true);
      expect((error as { details: { budget: string } }).details.budget).toBe(budget);
    }
  });

  it("a request in an unknown wire version is refused with UNSUPPORTED_VERSION", async () => {
    const res = await env.CHAIN.fetch("https://chain.test/", { method: "POST", body: JSON.stringify({ v: 99 }) });
    expect(res.status).toBe(400);
    const body = parseNodeResponse(await res.json());
    expect(body.ok ? null : body.error.code).toBe("UNSUPPORTED_VERSION");
  });
});
