import { randomUnit } from "./random-id";

/** How a commit retries after losing the race for the table pointer. */
export interface RetryOptions {
  /** Attempts before giving up with `COMMIT_CONFLICT` (default 50). */
  maxAttempts?: number;
  /** First backoff ceiling in milliseconds (default 5). */
  baseDelayMs?: number;
  /** Largest backoff ceiling in milliseconds (default 1000, about R2's one write per second per key). */
  maxDelayMs?: number;
}

/** The defaults of {@link RetryOptions}, filled in. */
export function resolveRetryOptions(options: RetryOptions = {}): Required<RetryOptions> {
  return { maxAttempts: options.maxAttempts ?? 50, baseDelayMs: options.baseDelayMs ?? 5, maxDelayMs: options.maxDelayMs ?? 1000 };
}

/**
 * "Full jitter" exponential backoff: a uniform delay in [0, min(max, base * 2^(attempt-1))).
 * Randomising the whole interval spreads racing writers apart so that one of them wins each round
 * instead of all colliding again, and the cap keeps the pointer below R2's per-key write rate.
 */
export function retryDelayMs(attempt: number, options: Required<RetryOptions>): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(randomUnit() * ceiling);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
