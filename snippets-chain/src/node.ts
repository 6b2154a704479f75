import { EvoDBError, isEvoDBError, type EvoDBErrorCode } from "@evodb/core";
import { BudgetTracker, DEFAULT_CPU_ESTIMATE, SNIPPET_BUDGET, budgetError, type CpuEstimate, type NodeBudget } from "./budget";
import { callChild, type ChildFetch, type ChildOutcome } from "./child-call";
import { planFanOut, splitRange } from "./plan";
import type { Reducer } from "./reducer";
import {
  WIRE_VERSION,
  expandRanges,
  normalizeRanges,
  parseNodeRequest,
  type FailedRange,
  type FailureMode,
  type NodeRequest,
  type NodeResponse,
  type NodeStats,
  type PartitionRange,
} from "./wire";

/** What every node of a chain needs; the same options on every node of one deployment. */
export interface ChainNodeOptions<P, R> {
  /** How partial results merge; its `kind` must match the caller's. */
  reducer: Reducer<P, R>;
  /** Computes one partition's partial on a leaf. Must be idempotent: it may be retried. */
  map: (partition: number, query: unknown, signal: AbortSignal) => P | Promise<P>;
  /** Reaches a child: global `fetch`, or `env.SELF.fetch.bind(env.SELF)` for a service binding. */
  fetch: ChildFetch;
  /** URL children are addressed at. Default `https://snippets-chain.internal/` (fine for a service binding). */
  url?: string;
  /** This node's budget; default {@link SNIPPET_BUDGET}. */
  budget?: Partial<NodeBudget>;
  /** Cost model for the CPU estimate; default {@link DEFAULT_CPU_ESTIMATE}. */
  cpu?: Partial<CpuEstimate>;
  /** First retry delay in ms, doubled per retry. Default 20. */
  baseDelayMs?: number;
}

/** The caller's description of one scatter-gather. */
export interface ChainQuery {
  /** Opaque JSON handed to the map function. */
  query: unknown;
  /** Number of partitions, indexed 0..partitions-1. */
  partitions: number;
  /** "fail" (default): throw naming the failed partitions. "partial": answer without them. */
  failure?: FailureMode;
  /** Children per node. Default 5. Use 4 to leave each node one subrequest for a retry. */
  fanOut?: number;
  /** Partitions a leaf maps itself. Default 1. */
  partitionsPerLeaf?: number;
  /** Most fan-out levels. Default 4. */
  maxDepth?: number;
  /** Milliseconds the whole chain may take. Default 10,000. */
  timeoutMs?: number;
  /** Attempts per subrequest to a leaf, retries included (inner nodes are not retried). Default 2. */
  attempts?: number;
}

/** The answer of {@link runChain}. */
export interface ChainResult<Result> {
  /** The finalized result over every partition that answered. */
  result: Result;
  /** True when some partitions are missing (only with failure "partial"). */
  partial: boolean;
  /** Missing partitions as ranges `[start, end)`. */
  missing: PartitionRange[];
  /** Missing partitions, one index each. */
  missingPartitions: number[];
  /** Work counters over the whole tree. */
  stats: NodeStats;
}

const DEFAULT_URL = "https://snippets-chain.internal/";

function describeRanges(ranges: readonly PartitionRange[]): string {
  const shown = ranges.slice(0, 5).map(([s, e]) => (e - s === 1 ? `${s}` : `${s}-${e - 1}`));
  return ranges.length > 5 ? `${shown.join(", ")} and ${ranges.length - 5} more ranges` : shown.join(", ");
}

function errorResponse(error: unknown, missing: PartitionRange[], stats: NodeStats): NodeResponse {
  const e = isEvoDBError(error) ? error : new EvoDBError("INTERNAL", `snippets-chain: map failed: ${String(error)}`, { cause: error });
  return { v: WIRE_VERSION, ok: false, error: e.toJSON(), missing: normalizeRanges(missing), stats };
}

/**
 * Answers one node request: a leaf maps its partitions; any other node fans out to its children
 * (re-derived from its range by {@link splitRange}), merges their partials in partition order and
 * applies the failure semantics. Never throws: failures are answered as `ok: false` responses.
 */
export async function runNode<P, R>(options: ChainNodeOptions<P, R>, request: NodeRequest): Promise<NodeResponse> {
  const { reducer } = options;
  const tracker = new BudgetTracker({ ...SNIPPET_BUDGET, ...options.budget });
  const cpu = { ...DEFAULT_CPU_ESTIMATE, ...options.cpu };
  const stats: NodeStats = { nodes: 1, subrequests: 0, retries: 0, maxNodeSubrequests: 0 };
  const [start, end] = request.range;
  try {
    if (request.reducer !== reducer.kind) {
      throw new EvoDBError("INVALID_ARGUMENT", `snippets-chain: request is for reducer ${request.reducer}, this node runs ${reducer.kind}; deploy one reducer per chain`, {
        details: { expected: reducer.kind, got: request.reducer },
      });
    }
    const ranges = splitRange(start, end, request.fanOut, request.partitionsPerLeaf);
    if (ranges === null) {
      tracker.chargeCpu((end - start) * cpu.perPartition);
      const signal = AbortSignal.timeout(request.timeoutMs);
      let acc = reducer.empty();
      for (let p = start; p < end; p++) acc = reducer.merge(acc, await options.map(p, request.query, signal));
      return { v: WIRE_VERSION, ok: true, result: reducer.encode(acc), partial: false, missing: [], stats };
    }
    if (ranges.length > tracker.budget.maxSubrequests) {
      throw budgetError("subrequests", ranges.length, tracker.budget.maxSubrequests, "lower fanOut to fit this node's budget");
    }
    tracker.chargeCpu(ranges.length * cpu.perMerge);
    const call = async (range: PartitionRange): Promise<ChildOutcome> => {
      // Only leaves are retried, by their parent. Retrying an inner child would re-run its whole
      // subtree, and splitting every level's time between attempts would shrink the leaves'
      // deadlines geometrically with depth. Each attempt gets an equal share of this node's time; a
      // child gets 80 % of one attempt, so it answers (possibly with its own failure) in time.
      const attempts = range[1] - range[0] <= request.partitionsPerLeaf ? request.attempts : 1;
      const attemptTimeoutMs = Math.max(1, Math.floor(request.timeoutMs / attempts));
      const childTimeoutMs = Math.max(1, Math.floor(attemptTimeoutMs * 0.8));
      try {
        return await callChild(
          { fetch: options.fetch, url: options.url ?? DEFAULT_URL, tracker, attemptTimeoutMs, attempts, baseDelayMs: options.baseDelayMs ?? 20 },
          { ...request, range, level: request.level + 1, timeoutMs: childTimeoutMs },
        );
      } catch (error) {
        const e = isEvoDBError(error) ? error : new EvoDBError("INTERNAL", String(error));
        return { ok: false, code: e.code, message: e.message, response: null, retries: 0 };
      }
    };
    const outcomes = await Promise.all(ranges.map(call));
    let acc = reducer.empty();
    const missing: PartitionRange[] = [];
    const failures: FailedRange[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i]!;
      const range = ranges[i]!;
      stats.retries += outcome.retries;
      if (outcome.response !== null) {
        stats.nodes += outcome.response.stats.nodes;
        stats.subrequests += outcome.response.stats.subrequests;
        stats.retries += outcome.response.stats.retries;
        stats.maxNodeSubrequests = Math.max(stats.maxNodeSubrequests, outcome.response.stats.maxNodeSubrequests);
      }
      if (outcome.ok) {
        try {
          acc = reducer.merge(acc, reducer.decode(outcome.response.result));
          missing.push(...outcome.response.missing);
          continue;
        } catch (error) {
          const e = isEvoDBError(error) ? error : new EvoDBError("INTERNAL", String(error));
          failures.push({ range, code: e.code, message: e.message });
        }
      } else if (outcome.response !== null && !outcome.response.ok && outcome.response.missing.length > 0) {
        // An inner child already named what failed below it: pass that on rather than blaming its
        // whole range.
        const inner = outcome.response.error.details?.failures;
        if (Array.isArray(inner)) failures.push(...(inner as FailedRange[]));
        else failures.push({ range, code: outcome.code, message: outcome.message });
        missing.push(...outcome.response.missing);
        continue;
      } else {
        failures.push({ range, code: outcome.code, message: outcome.message });
      }
      missing.push(range);
    }
    stats.subrequests += tracker.subrequests;
    stats.maxNodeSubrequests = Math.max(stats.maxNodeSubrequests, tracker.subrequests);
    const merged = normalizeRanges(missing);
    if (failures.length > 0 && request.failure === "fail") {
      const first = failures[0]!;
      const code: EvoDBErrorCode = first.code;
      return errorResponse(
        new EvoDBError(code, `snippets-chain: partitions ${describeRanges(merged)} failed (${first.code}: ${first.message}); retry, or pass failure: "partial" to answer without them`, {
          details: { missing: merged, failures: failures.slice(0, 10) },
        }),
        merged,
        stats,
      );
    }
    return { v: WIRE_VERSION, ok: true, result: reducer.encode(acc), partial: merged.length > 0, missing: merged, stats };
  } catch (error) {
    stats.subrequests += tracker.subrequests;
    stats.maxNodeSubrequests = Math.max(stats.maxNodeSubrequests, tracker.subrequests);
    return errorResponse(error, [[start, end]], stats);
  }
}

const STATUS: Partial<Record<EvoDBErrorCode, number>> = { INVALID_ARGUMENT: 400, UNSUPPORTED_VERSION: 400, TIMEOUT: 504, STORAGE_ERROR: 503 };

/**
 * A fetch handler for a Worker or Snippet that serves node requests (POST, JSON body, see
 * docs/snippets-chain.md). Use it as the Worker's `fetch`, or call it from one for a path.
 */
export function createChainHandler<P, R>(options: ChainNodeOptions<P, R>): (request: Request) => Promise<Response> {
  return async (request) => {
    let response: NodeResponse;
    try {
      response = await runNode(options, parseNodeRequest(await request.json()));
    } catch (error) {
      const e = isEvoDBError(error) ? error : new EvoDBError("INVALID_ARGUMENT", `snippets-chain: request body is not JSON: ${String(error)}`);
      response = errorResponse(e, [], { nodes: 1, subrequests: 0, retries: 0, maxNodeSubrequests: 0 });
    }
    const status = response.ok ? 200 : (STATUS[response.error.code] ?? 500);
    return Response.json(response, { status });
  };
}

/**
 * Runs a whole scatter-gather from the caller's node (the root): checks the plan fits the budgets
 * (throws `LIMIT_EXCEEDED` naming the budget if not), fans out, and finalizes. With failure "fail"
 * a failed subtree throws an `EvoDBError` whose `details.missing` lists the failed partitions; with
 * "partial" the answer says `partial: true` and lists them instead.
 */
export async function runChain<P, R>(options: ChainNodeOptions<P, R>, query: ChainQuery): Promise<ChainResult<R>> {
  const fanOut = query.fanOut ?? 5;
  const partitionsPerLeaf = query.partitionsPerLeaf ?? 1;
  const failure = query.failure ?? "fail";
  const attempts = query.attempts ?? 2;
  const timeoutMs = query.timeoutMs ?? 10_000;
  const maxDepth = query.maxDepth ?? 4;
  planFanOut(query.partitions, { maxSubrequests: fanOut, partitionsPerLeaf, maxDepth, budget: options.budget, cpu: options.cpu });
  const request = parseNodeRequest({
    v: WIRE_VERSION, reducer: options.reducer.kind, query: query.query, range: [0, query.partitions],
    fanOut, partitionsPerLeaf, failure, timeoutMs, attempts, level: 0,
  });
  const response = await runNode(options, request);
  if (!response.ok) {
    if (failure === "partial" && response.missing.length > 0) {
      return { result: options.reducer.finalize(options.reducer.empty()), partial: true, missing: response.missing, missingPartitions: expandRanges(response.missing), stats: response.stats };
    }
    throw new EvoDBError(response.error.code, response.error.message, { details: { ...response.error.details, missing: response.missing } });
  }
  const result = options.reducer.finalize(options.reducer.decode(response.result));
  return { result, partial: response.partial, missing: response.missing, missingPartitions: expandRanges(response.missing), stats: response.stats };
}
