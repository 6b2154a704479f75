/**
 * The @evodb/snippets-chain half of the snippets section: the 125-partition fan-out plan, and the
 * whole scatter-gather run in this process, every node a real `createChainHandler` reached through
 * Request/Response objects (JSON bodies as on the wire), with its reduce timed on its own.
 */
import { Random } from "@evodb/test-utils";
import {
  addMax,
  addMin,
  addToAvg,
  addToSum,
  avgReducer,
  concatReducer,
  countReducer,
  createChainHandler,
  DEFAULT_CPU_ESTIMATE,
  distinctReducer,
  maxReducer,
  minReducer,
  planFanOut,
  recordReducer,
  runChain,
  SNIPPET_BUDGET,
  sumReducer,
  topKReducer,
  type ChainNodeOptions,
  type PartialOf,
} from "@evodb/snippets-chain";
import type { SuiteContext } from "../harness/registry";

const PARTITIONS = 125;
const ROWS_PER_PARTITION = 1_000;

const topK = topKReducer(10);
const firstIds = concatReducer<string>(25);
const users = distinctReducer({ precision: 12, exactLimit: 256 });
/** Every reducer kind at once, so a merge costs what a real multi-aggregate query would. */
const reducer = recordReducer({
  rows: countReducer(), total: sumReducer(), lowest: minReducer(), highest: maxReducer(), mean: avgReducer(), best: topK, firstIds, users,
});
type Partial = PartialOf<typeof reducer>;

/** Seeded rows of every partition: amounts (log-uniform, mixed signs) and user ids out of 50,000. */
function partitionData(): { amounts: Float64Array; users: Uint32Array } {
  const random = new Random(125);
  const n = PARTITIONS * ROWS_PER_PARTITION;
  const amounts = new Float64Array(n);
  const userIds = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    amounts[i] = (random.next() - 0.3) * 10 ** random.int(-3, 9);
    userIds[i] = random.int(0, 49_999);
  }
  return { amounts, users: userIds };
}

function mapPartition(data: { amounts: Float64Array; users: Uint32Array }, partition: number): Partial {
  const partial = reducer.empty();
  for (let i = partition * ROWS_PER_PARTITION; i < (partition + 1) * ROWS_PER_PARTITION; i++) {
    const amount = data.amounts[i]!;
    partial.rows.count++;
    addToSum(partial.total, amount);
    addMin(partial.lowest, amount);
    addMax(partial.highest, amount);
    addToAvg(partial.mean, amount);
    topK.add(partial.best, `r${i}`, amount);
    firstIds.add(partial.firstIds, `r${i}`);
    users.add(partial.users, `u${data.users[i]}`);
  }
  return partial;
}

/** Records the plan and the measured costs of a 125-partition aggregation. */
export async function measureSnippetsChain(ctx: SuiteContext): Promise<void> {
  const group = `Scatter-gather, ${PARTITIONS} partitions x ${ROWS_PER_PARTITION.toLocaleString("en-US")} rows, 8 aggregates`;
  const plan = planFanOut(PARTITIONS);
  ctx.record({
    group, name: "fan-out levels (plan)", value: plan.levels, unit: "levels", better: "lower",
    targets: [{ of: "value", op: "<=", threshold: 3, label: "<= 3 (5 x 5 x 5)" }],
    note: `planFanOut(${PARTITIONS}) with the defaults: ${plan.nodeCount} nodes, ${plan.leafCount} leaves, one partition per leaf.`,
  });
  ctx.record({
    group, name: "subrequests per node, max (plan)", value: plan.maxNodeCost.subrequests, unit: "subrequests", better: "lower",
    targets: [{ of: "value", op: "<=", threshold: SNIPPET_BUDGET.maxSubrequests, label: `<= ${SNIPPET_BUDGET.maxSubrequests}` }],
  });
  ctx.record({
    group, name: "estimated CPU per node, max (plan)", value: plan.maxNodeCost.cpuUnits, unit: "units", better: "lower",
    targets: [{ of: "value", op: "<=", threshold: SNIPPET_BUDGET.maxCpuUnits, label: `<= ${SNIPPET_BUDGET.maxCpuUnits} units` }],
    note: `The plan's cost model, not a measurement: ${DEFAULT_CPU_ESTIMATE.perPartition} units to map a partition on a leaf, ` +
      `${DEFAULT_CPU_ESTIMATE.perMerge} per child merged (1 unit is meant as 1 us); compare with the measured figures below.`,
  });

  const data = partitionData();
  let largestResponse = 0;
  const options: ChainNodeOptions<Partial, ReturnType<typeof reducer.finalize>> = {
    reducer,
    map: (partition) => mapPartition(data, partition),
    fetch: async (request) => {
      const response = await handler(request);
      largestResponse = Math.max(largestResponse, Number((await response.clone().arrayBuffer()).byteLength));
      return response;
    },
  };
  const handler = createChainHandler(options);
  const answer = await runChain(options, { query: null, partitions: PARTITIONS });
  // The tree must equal the same aggregation on one node (the workerd tests check this too).
  let single = reducer.empty();
  for (let p = 0; p < PARTITIONS; p++) single = reducer.merge(single, mapPartition(data, p));
  if (JSON.stringify(answer.result) !== JSON.stringify(reducer.finalize(single))) throw new Error("benchmark: chain result differs from one node");
  ctx.record({
    group, name: "subrequests per node, max (run)", value: answer.stats.maxNodeSubrequests, unit: "subrequests", better: "lower",
    targets: [{ of: "value", op: "<=", threshold: SNIPPET_BUDGET.maxSubrequests, label: `<= ${SNIPPET_BUDGET.maxSubrequests}` }],
    note: `Counted by each node's BudgetTracker over the ${answer.stats.nodes} nodes of one run; ${answer.stats.subrequests} subrequests in all.`,
  });
  ctx.record({ group, name: "largest node response body", value: largestResponse, unit: "bytes", better: "lower" });

  // One inner node's own work: decode five children's partials (each over 25 partitions, the root's
  // case: distinct counts have spilled to HLL registers), merge them, encode and serialise the result.
  const children = [0, 1, 2, 3, 4].map((c) => {
    let acc = reducer.empty();
    for (let p = c * 25; p < (c + 1) * 25; p++) acc = reducer.merge(acc, mapPartition(data, p));
    return JSON.stringify(reducer.encode(acc));
  });
  const reduce = (): string => {
    let acc = reducer.empty();
    for (const body of children) acc = reducer.merge(acc, reducer.decode(JSON.parse(body)));
    return JSON.stringify(reducer.encode(acc));
  };
  const reduceTiming = await ctx.measure(reduce, { minTimeMs: 1000 });
  ctx.record({
    group, name: "inner node reduce (5 children)", value: reduceTiming.medianMs, unit: "ms", better: "lower", timing: reduceTiming,
    targets: [{ of: "value", op: "<=", threshold: 5, label: "<= 5 ms" }],
    note: "JSON.parse + decode of 5 children's partials, merge in partition order, encode + JSON.stringify: the CPU an inner node " +
      "spends besides its subrequests; wall time of synchronous code on one thread.",
  });
  const leafTiming = await ctx.measure(() => JSON.stringify(reducer.encode(mapPartition(data, 7))), { minTimeMs: 1000 });
  ctx.record({
    group, name: `leaf map of one ${ROWS_PER_PARTITION.toLocaleString("en-US")}-row partition`, value: leafTiming.medianMs, unit: "ms", better: "lower", timing: leafTiming,
    note: "All 8 aggregates over the partition's rows (already in memory) and the encoded result; a real leaf also reads its partition.",
  });
  const chainTiming = await ctx.measure(() => runChain(options, { query: null, partitions: PARTITIONS }), { minTimeMs: 2000, warmupRuns: 1 });
  ctx.record({
    group, name: `whole ${PARTITIONS}-partition chain in one process`, value: chainTiming.medianMs, unit: "ms", better: "lower", timing: chainTiming,
    note: `All ${answer.stats.nodes} nodes on this one thread, children reached through Request/Response (JSON bodies) without a network: ` +
      "the sum of every node's CPU, an upper bound for the critical path; on Snippets the nodes run in parallel.",
  });
}
