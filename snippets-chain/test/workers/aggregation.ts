import { EvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import {
  addMax,
  addMin,
  addToAvg,
  addToSum,
  avgReducer,
  concatReducer,
  countReducer,
  distinctReducer,
  maxReducer,
  minReducer,
  recordReducer,
  sumReducer,
  topKReducer,
  type PartialOf,
} from "../../src/index";

/** The query the test chain answers: a seed for the data and partitions that misbehave. */
export interface TestQuery {
  seed: number;
  /** Partitions whose map always fails (STORAGE_ERROR). */
  fail?: number[];
  /** Partitions whose map fails on the first attempt of this run only. */
  flaky?: number[];
  /** Partitions whose map never answers in time. */
  slow?: number[];
  /** Distinguishes runs, so flaky state of one test does not leak into another. */
  runId?: string;
}

const topK = topKReducer(10);
const firstIds = concatReducer<string>(25);
const users = distinctReducer({ precision: 12, exactLimit: 200 });

/** Every aggregate at once: the chain must reproduce each of them exactly. */
export const testReducer = recordReducer({
  rows: countReducer(),
  total: sumReducer(),
  lowest: minReducer(),
  highest: maxReducer(),
  mean: avgReducer(),
  best: topK,
  firstIds,
  users,
});

/** The rows of one partition: seeded, so any node can regenerate them. */
export function partitionRows(seed: number, partition: number): Array<{ id: string; amount: number; user: string }> {
  const random = new Random(seed * 7919 + partition);
  const rows: Array<{ id: string; amount: number; user: string }> = [];
  for (let i = random.int(0, 40); i > 0; i--) {
    const amount = random.chance(0.5) ? random.int(-1000, 1000) : (random.next() - 0.3) * 10 ** random.int(-3, 12);
    rows.push({ id: `p${partition}-r${i}`, amount, user: `u${random.int(0, 3000)}` });
  }
  return rows;
}

/** The map of one partition, shared by the chain's leaves and the single-node reference. */
export function mapPartition(seed: number, partition: number): PartialOf<typeof testReducer> {
  const partial = testReducer.empty();
  for (const row of partitionRows(seed, partition)) {
    partial.rows.count++;
    addToSum(partial.total, row.amount);
    addMin(partial.lowest, row.amount);
    addMax(partial.highest, row.amount);
    addToAvg(partial.mean, row.amount);
    topK.add(partial.best, row.id, row.amount);
    firstIds.add(partial.firstIds, row.id);
    users.add(partial.users, row.user);
  }
  return partial;
}

// Module state survives between requests in one isolate; the flaky partitions use it to fail only
// their first attempt.
const attemptsSeen = new Map<string, number>();

/** The leaf map of the test chain, with the failure modes a test can ask for. */
export async function testMap(partition: number, query: unknown, signal: AbortSignal): Promise<PartialOf<typeof testReducer>> {
  const q = query as TestQuery;
  if (q.fail?.includes(partition)) {
    throw new EvoDBError("STORAGE_ERROR", `test: partition ${partition} is unreadable`, { details: { partition } });
  }
  if (q.flaky?.includes(partition)) {
    const key = `${q.runId}:${partition}`;
    const seen = (attemptsSeen.get(key) ?? 0) + 1;
    attemptsSeen.set(key, seen);
    if (seen === 1) throw new EvoDBError("STORAGE_ERROR", `test: partition ${partition} fails its first attempt`);
  }
  if (q.slow?.includes(partition)) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    throw new EvoDBError("TIMEOUT", `test: partition ${partition} did not answer in time`);
  }
  return mapPartition(q.seed, partition);
}
