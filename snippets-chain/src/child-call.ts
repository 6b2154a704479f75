import { isEvoDBError, type EvoDBErrorCode } from "@evodb/core";
import type { BudgetTracker } from "./budget";
import { parseNodeResponse, type NodeRequest, type NodeResponse } from "./wire";

/** How a node reaches its children: global `fetch`, or a service binding's `fetch`. */
export type ChildFetch = (request: Request) => Promise<Response>;

/** Codes worth another attempt: the same idempotent request may succeed next time. */
const RETRYABLE = new Set<EvoDBErrorCode>(["TIMEOUT", "STORAGE_ERROR", "INTERNAL"]);

/** Result of calling one child: its parsed response, or why it could not be had. */
export type ChildOutcome =
  | { ok: true; response: Extract<NodeResponse, { ok: true }>; retries: number }
  | { ok: false; code: EvoDBErrorCode; message: string; response: NodeResponse | null; retries: number };

/** Options of {@link callChild}. */
export interface CallChildOptions {
  fetch: ChildFetch;
  url: string;
  tracker: BudgetTracker;
  /** Milliseconds each attempt may take before it is aborted. */
  attemptTimeoutMs: number;
  /** Attempts in all (1 = no retry). */
  attempts: number;
  /** First backoff delay; doubled after each failed attempt. */
  baseDelayMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function attempt(options: CallChildOptions, body: string): Promise<ChildOutcome> {
  let res: Response;
  let text: string;
  try {
    // AbortSignal.timeout bounds the whole attempt, body included: a child that answers headers
    // and then stalls is cut off too.
    const signal = AbortSignal.timeout(options.attemptTimeoutMs);
    res = await options.fetch(new Request(options.url, { method: "POST", body, headers: { "content-type": "application/json" }, signal }));
    text = await res.text();
  } catch (cause) {
    const name = (cause as { name?: unknown } | null)?.name;
    if (name === "TimeoutError" || name === "AbortError") {
      return { ok: false, code: "TIMEOUT", message: `subrequest timed out after ${options.attemptTimeoutMs} ms`, response: null, retries: 0 };
    }
    return { ok: false, code: "STORAGE_ERROR", message: `subrequest failed: ${String(cause)}`, response: null, retries: 0 };
  }
  options.tracker.chargeBytes(text.length);
  let response: NodeResponse;
  try {
    response = parseNodeResponse(JSON.parse(text));
  } catch (cause) {
    const code: EvoDBErrorCode = isEvoDBError(cause) ? cause.code : "STORAGE_ERROR";
    return { ok: false, code, message: `child answered HTTP ${res.status} with an unreadable body: ${isEvoDBError(cause) ? cause.message : String(cause)}`, response: null, retries: 0 };
  }
  if (response.ok) return { ok: true, response, retries: 0 };
  return { ok: false, code: response.error.code, message: response.error.message, response, retries: 0 };
}

/**
 * Sends one node request to a child, with a per-attempt timeout and retries with exponential
 * backoff. Node requests are reads, hence idempotent, so any attempt may be repeated; only failures
 * that may pass (timeouts, transport and storage errors, bugs) are retried, never a refusal such as
 * `INVALID_ARGUMENT` or `LIMIT_EXCEEDED`. Every attempt is charged to the node's subrequest budget,
 * and a retry that would exceed it is not made: the child then counts as failed.
 */
export async function callChild(options: CallChildOptions, request: NodeRequest): Promise<ChildOutcome> {
  const body = JSON.stringify(request);
  options.tracker.chargeBytes(body.length);
  options.tracker.chargeSubrequest();
  let outcome = await attempt(options, body);
  let retries = 0;
  const retryable = (o: ChildOutcome): boolean => !o.ok && RETRYABLE.has(o.code);
  for (let n = 1; n < options.attempts && retryable(outcome); n++) {
    if (!options.tracker.canStartSubrequest()) {
      if (!outcome.ok) outcome = { ...outcome, message: `${outcome.message} (no retry: the node's subrequest budget of ${options.tracker.budget.maxSubrequests} is spent)` };
      break;
    }
    await sleep(options.baseDelayMs * 2 ** (n - 1));
    options.tracker.chargeSubrequest();
    retries++;
    outcome = await attempt(options, body);
  }
  return { ...outcome, retries };
}
