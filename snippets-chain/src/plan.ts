import { EvoDBError } from "@evodb/core";
import {
  DEFAULT_CPU_ESTIMATE,
  SNIPPET_BUDGET,
  budgetError,
  validateBudget,
  type CpuEstimate,
  type NodeBudget,
} from "./budget";

/** Options of {@link planFanOut} and {@link splitRange}. */
export interface FanOutOptions {
  /** Children per node: the subrequests one node makes. Default 5 (the Snippet limit). */
  maxSubrequests?: number;
  /** Partitions a leaf maps itself. Default 1. */
  partitionsPerLeaf?: number;
  /**
   * Most fan-out levels allowed. Default 4 (625 leaves at 5 per node). Every level adds a round trip
   * of latency and one more Worker in the call chain, and the platform limits how deep a chain of
   * Workers calling Workers may go, so deep plans are refused rather than attempted.
   */
  maxDepth?: number;
  /** Budget each node must fit; default {@link SNIPPET_BUDGET}. */
  budget?: Partial<NodeBudget>;
  /** Cost model for the CPU estimate; default {@link DEFAULT_CPU_ESTIMATE}. */
  cpu?: Partial<CpuEstimate>;
  /** Expected size in bytes of one encoded partial result. Default 4,096. */
  bytesPerPartial?: number;
}

/** What one node of a plan is expected to spend. */
export interface NodeCost {
  /** Subrequests the node starts (its children), before any retry. */
  subrequests: number;
  /** Bytes of child partial results it holds, or of its own result for a leaf. */
  bytes: number;
  /** Estimated CPU units: mapping partitions on a leaf, merging children elsewhere. */
  cpuUnits: number;
}

/** One node of a fan-out tree: it answers for partitions `[start, end)`. */
export interface PlanNode {
  /** First partition index (inclusive). */
  start: number;
  /** Last partition index (exclusive). */
  end: number;
  /** 0 at the root; children are one level deeper. */
  level: number;
  /** Children, in partition order; empty for a leaf. */
  children: PlanNode[];
  /** Estimated spend of this node alone (not of its subtree). */
  cost: NodeCost;
}

/** The result of {@link planFanOut}. */
export interface FanOutPlan {
  /** Number of partitions planned. */
  partitions: number;
  /** Fan-out levels (edges on the longest root-to-leaf path): 125 partitions at 5 per node give 3. */
  levels: number;
  /** Root node. */
  root: PlanNode;
  /** Nodes in the tree, root and leaves included. */
  nodeCount: number;
  /** Leaves in the tree. */
  leafCount: number;
  /** Largest per-node spend in each dimension. */
  maxNodeCost: NodeCost;
}

/** Fully resolved fan-out options. */
export interface ResolvedFanOut {
  maxSubrequests: number;
  partitionsPerLeaf: number;
  maxDepth: number;
  budget: NodeBudget;
  cpu: CpuEstimate;
  bytesPerPartial: number;
}

/** Fills in defaults and validates; throws `INVALID_ARGUMENT` or `LIMIT_EXCEEDED` (subrequests). */
export function resolveFanOut(options: FanOutOptions = {}): ResolvedFanOut {
  const resolved: ResolvedFanOut = {
    maxSubrequests: options.maxSubrequests ?? 5,
    partitionsPerLeaf: options.partitionsPerLeaf ?? 1,
    maxDepth: options.maxDepth ?? 4,
    budget: { ...SNIPPET_BUDGET, ...options.budget },
    cpu: { ...DEFAULT_CPU_ESTIMATE, ...options.cpu },
    bytesPerPartial: options.bytesPerPartial ?? 4096,
  };
  requireInteger("maxSubrequests", resolved.maxSubrequests, 2);
  requireInteger("partitionsPerLeaf", resolved.partitionsPerLeaf, 1);
  requireInteger("maxDepth", resolved.maxDepth, 0);
  validateBudget(resolved.budget);
  if (resolved.maxSubrequests > resolved.budget.maxSubrequests) {
    throw budgetError("subrequests", resolved.maxSubrequests, resolved.budget.maxSubrequests,
      "a node cannot fan out wider than its subrequest budget; lower maxSubrequests");
  }
  return resolved;
}

/**
 * Splits partitions `[start, end)` into the child ranges of one node, or returns `null` when the
 * range is small enough for a leaf. Deterministic: every node re-derives its children from its own
 * range and the shared options, so a request only carries a range, never a subtree.
 *
 * The subtree gets the fewest levels that fit (capacity `partitionsPerLeaf × fanOut^levels`), and
 * the children share the range as evenly as possible, in partition order.
 */
export function splitRange(start: number, end: number, fanOut: number, partitionsPerLeaf: number): Array<[number, number]> | null {
  const count = end - start;
  if (count <= partitionsPerLeaf) return null;
  let childCapacity = partitionsPerLeaf;
  while (childCapacity * fanOut < count) childCapacity *= fanOut;
  const children = Math.ceil(count / childCapacity);
  const base = Math.floor(count / children);
  const larger = count % children;
  const ranges: Array<[number, number]> = [];
  let at = start;
  for (let i = 0; i < children; i++) {
    const size = base + (i < larger ? 1 : 0);
    ranges.push([at, at + size]);
    at += size;
  }
  return ranges;
}

/** Fan-out levels needed for `partitions` at the given width: 0 when one leaf suffices. */
export function fanOutLevels(partitions: number, fanOut: number, partitionsPerLeaf: number): number {
  let levels = 0;
  for (let capacity = partitionsPerLeaf; capacity < partitions; capacity *= fanOut) levels++;
  return levels;
}

/**
 * Plans a scatter-gather over `partitions` partitions as a tree in which every node makes at most
 * `maxSubrequests` subrequests: 125 partitions at 5 per node give 3 levels (5 × 5 × 5 leaves).
 * Every node's estimated spend is checked against the budget; a plan that cannot fit throws
 * `EvoDBError("LIMIT_EXCEEDED")` with `details.budget` naming the budget ("depth", "cpu",
 * "bytes" or "subrequests").
 */
export function planFanOut(partitions: number, options: FanOutOptions = {}): FanOutPlan {
  requireInteger("partitions", partitions, 0);
  const resolved = resolveFanOut(options);
  const levels = fanOutLevels(partitions, resolved.maxSubrequests, resolved.partitionsPerLeaf);
  if (levels > resolved.maxDepth) {
    throw budgetError("depth", levels, resolved.maxDepth,
      "raise maxDepth, or give each leaf more partitions (partitionsPerLeaf)");
  }
  const maxNodeCost: NodeCost = { subrequests: 0, bytes: 0, cpuUnits: 0 };
  const counts = { nodes: 0, leaves: 0 };
  const build = (start: number, end: number, level: number): PlanNode => {
    counts.nodes++;
    const ranges = splitRange(start, end, resolved.maxSubrequests, resolved.partitionsPerLeaf);
    const children = ranges === null ? [] : ranges.map(([s, e]) => build(s, e, level + 1));
    if (ranges === null) counts.leaves++;
    const cost = nodeCost(end - start, children.length, resolved);
    checkCost(cost, start, end, resolved.budget);
    maxNodeCost.subrequests = Math.max(maxNodeCost.subrequests, cost.subrequests);
    maxNodeCost.bytes = Math.max(maxNodeCost.bytes, cost.bytes);
    maxNodeCost.cpuUnits = Math.max(maxNodeCost.cpuUnits, cost.cpuUnits);
    return { start, end, level, children, cost };
  };
  const root = build(0, partitions, 0);
  return { partitions, levels, root, nodeCount: counts.nodes, leafCount: counts.leaves, maxNodeCost };
}

/** Estimated spend of a node over `partitionCount` partitions with `childCount` children. */
export function nodeCost(partitionCount: number, childCount: number, resolved: ResolvedFanOut): NodeCost {
  if (childCount === 0) {
    return { subrequests: 0, bytes: resolved.bytesPerPartial, cpuUnits: partitionCount * resolved.cpu.perPartition };
  }
  return {
    subrequests: childCount,
    bytes: childCount * resolved.bytesPerPartial,
    cpuUnits: childCount * resolved.cpu.perMerge,
  };
}

function checkCost(cost: NodeCost, start: number, end: number, budget: NodeBudget): void {
  const where = `the node for partitions [${start}, ${end})`;
  if (cost.cpuUnits > budget.maxCpuUnits) {
    throw budgetError("cpu", cost.cpuUnits, budget.maxCpuUnits,
      `${where} would exceed it; lower partitionsPerLeaf or raise budget.maxCpuUnits`);
  }
  if (cost.bytes > budget.maxBytes) {
    throw budgetError("bytes", cost.bytes, budget.maxBytes,
      `${where} would exceed it; make partial results smaller or raise budget.maxBytes`);
  }
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new EvoDBError("INVALID_ARGUMENT", `snippets-chain: ${name} must be an integer >= ${min}, got ${String(value)}`, {
      details: { field: name },
    });
  }
}
