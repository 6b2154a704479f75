import { EvoDBError } from "@evodb/core";

/**
 * What one node of a fan-out tree may spend while answering one request. The defaults are the
 * Cloudflare Snippets limits (DESIGN.md "Constraints"): 5 subrequests and 5 ms of CPU per request;
 * bytes are capped well below the 2-32 MB of memory a Snippet may use, because a node holds every
 * child's partial result at once while it merges them.
 */
export interface NodeBudget {
  /** Subrequests this node may start, retries included. Snippets: 5. */
  maxSubrequests: number;
  /** Bytes of child responses this node may hold (request bodies are counted too). */
  maxBytes: number;
  /** Estimated CPU work in abstract units (see {@link CpuEstimate}); a budget, not a measurement. */
  maxCpuUnits: number;
}

/** Snippet limits: 5 subrequests, 1 MiB of child responses, 5,000 CPU units (about 5 ms at 1 µs/unit). */
export const SNIPPET_BUDGET: Readonly<NodeBudget> = Object.freeze({
  maxSubrequests: 5,
  maxBytes: 1 << 20,
  maxCpuUnits: 5_000,
});

/**
 * The cost model used to estimate a node's CPU work before it runs. Units are arbitrary; calibrate
 * them so that `maxCpuUnits` is the CPU limit (e.g. 1 unit = 1 µs gives 5,000 units for 5 ms).
 */
export interface CpuEstimate {
  /** Units to map one partition on a leaf. */
  perPartition: number;
  /** Units to decode and merge one child's partial result. */
  perMerge: number;
}

/** Default cost model: a partition costs 1,000 units (1 ms), a merge 50 units. */
export const DEFAULT_CPU_ESTIMATE: Readonly<CpuEstimate> = Object.freeze({ perPartition: 1_000, perMerge: 50 });

/** The budgets a tracker can refuse, named in `EvoDBError.details.budget`. */
export type BudgetName = "subrequests" | "bytes" | "cpu" | "depth";

/**
 * Counts what one node spends and refuses to go past its {@link NodeBudget}: the node fails with a
 * clear `LIMIT_EXCEEDED` instead of the platform killing it mid-request (a Snippet that starts a
 * sixth subrequest is terminated with no useful error).
 */
export class BudgetTracker {
  /** Subrequests started so far (each retry attempt counts). */
  subrequests = 0;
  /** Bytes of request and response bodies counted so far. */
  bytes = 0;
  /** Estimated CPU units charged so far. */
  cpuUnits = 0;

  constructor(readonly budget: NodeBudget) {}

  /** True when one more subrequest fits. */
  canStartSubrequest(): boolean {
    return this.subrequests < this.budget.maxSubrequests;
  }

  /** Charges one subrequest; throws `LIMIT_EXCEEDED` (budget "subrequests") when none is left. */
  chargeSubrequest(): void {
    if (!this.canStartSubrequest()) {
      throw budgetError("subrequests", this.subrequests + 1, this.budget.maxSubrequests,
        "split the work over more fan-out levels (planFanOut) or lower the retry count");
    }
    this.subrequests++;
  }

  /** Charges `n` bytes; throws `LIMIT_EXCEEDED` (budget "bytes") past `maxBytes`. */
  chargeBytes(n: number): void {
    if (this.bytes + n > this.budget.maxBytes) {
      throw budgetError("bytes", this.bytes + n, this.budget.maxBytes,
        "make partial results smaller (lower top-k / concat limits, HLL precision) or raise maxBytes");
    }
    this.bytes += n;
  }

  /** Charges `units` of estimated CPU; throws `LIMIT_EXCEEDED` (budget "cpu") past `maxCpuUnits`. */
  chargeCpu(units: number): void {
    if (this.cpuUnits + units > this.budget.maxCpuUnits) {
      throw budgetError("cpu", this.cpuUnits + units, this.budget.maxCpuUnits,
        "give each leaf fewer partitions (partitionsPerLeaf) or raise maxCpuUnits");
    }
    this.cpuUnits += units;
  }
}

/** The `LIMIT_EXCEEDED` error for one named budget, with the numbers in `details`. */
export function budgetError(budget: BudgetName, needed: number, limit: number, advice: string): EvoDBError {
  return new EvoDBError("LIMIT_EXCEEDED", `snippets-chain: ${budget} budget exceeded (${needed} > ${limit}); ${advice}`, {
    details: { budget, needed, limit },
  });
}

/** Throws `INVALID_ARGUMENT` unless every field of `budget` is a positive finite number. */
export function validateBudget(budget: NodeBudget): void {
  for (const key of ["maxSubrequests", "maxBytes", "maxCpuUnits"] as const) {
    const value = budget[key];
    if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
      throw new EvoDBError("INVALID_ARGUMENT", `snippets-chain: budget.${key} must be a positive number, got ${String(value)}`, {
        details: { field: key },
      });
    }
  }
}
