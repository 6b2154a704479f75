import { describe, expect, it } from "vitest";
import { isEvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { planFanOut, splitRange, type PlanNode } from "../src/index";

function walk(node: PlanNode, visit: (node: PlanNode) => void): void {
  visit(node);
  for (const child of node.children) walk(child, visit);
}

function leafRanges(node: PlanNode): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  walk(node, (n) => { if (n.children.length === 0) out.push([n.start, n.end]); });
  return out;
}

function expectLimit(fn: () => unknown, budget: string): void {
  try {
    fn();
  } catch (error) {
    expect(isEvoDBError(error, "LIMIT_EXCEEDED")).toBe(true);
    expect((error as { details: { budget: string } }).details.budget).toBe(budget);
    expect((error as Error).message).toContain(budget);
    return;
  }
  throw new Error("expected LIMIT_EXCEEDED");
}

describe("planFanOut", () => {
  it("125 partitions at 5 subrequests per node give 3 levels of 5 x 5 x 5", () => {
    const plan = planFanOut(125);
    expect(plan.levels).toBe(3);
    expect(plan.leafCount).toBe(125);
    expect(plan.nodeCount).toBe(1 + 5 + 25 + 125);
    expect(plan.root.children).toHaveLength(5);
    for (const child of plan.root.children) {
      expect(child.children).toHaveLength(5);
      for (const grandchild of child.children) expect(grandchild.children).toHaveLength(5);
    }
    expect(plan.maxNodeCost.subrequests).toBe(5);
  });

  it("edge sizes: 0 and 1 partitions are a single leaf, 5 is one level, 6 is two", () => {
    expect(planFanOut(0).levels).toBe(0);
    expect(planFanOut(1).levels).toBe(0);
    expect(planFanOut(1).root.children).toHaveLength(0);
    expect(planFanOut(5).levels).toBe(1);
    expect(planFanOut(6).levels).toBe(2);
    expect(planFanOut(126).levels).toBe(4);
    expect(planFanOut(10, { partitionsPerLeaf: 2 }).levels).toBe(1);
  });

  it("random sizes and widths: leaves tile [0, n) in order, no node exceeds its width, depth is minimal", () => {
    const random = new Random(7);
    for (let trial = 0; trial < 60; trial++) {
      const partitions = random.int(0, 1500);
      const maxSubrequests = random.int(2, 5);
      const partitionsPerLeaf = random.int(1, 4);
      const plan = planFanOut(partitions, { maxSubrequests, partitionsPerLeaf, maxDepth: 20, budget: { maxCpuUnits: 1e9 } });
      const problems: string[] = [];
      let expected = 0;
      for (const [start, end] of leafRanges(plan.root)) {
        if (start !== expected) problems.push(`gap before ${start}`);
        if (end - start > partitionsPerLeaf || (partitions > 0 && end <= start)) problems.push(`leaf [${start}, ${end})`);
        expected = end;
      }
      if (expected !== partitions) problems.push(`leaves end at ${expected}`);
      let deepest = 0;
      walk(plan.root, (n) => {
        if (n.children.length > maxSubrequests) problems.push(`node [${n.start}, ${n.end}) has ${n.children.length} children`);
        deepest = Math.max(deepest, n.level);
      });
      if (deepest !== plan.levels) problems.push(`deepest ${deepest} != levels ${plan.levels}`);
      // Minimal: one level fewer could not hold every partition.
      if (plan.levels > 0 && partitionsPerLeaf * maxSubrequests ** (plan.levels - 1) >= partitions) problems.push("not minimal");
      expect(problems, `trial ${trial}: ${partitions} partitions, width ${maxSubrequests}`).toEqual([]);
    }
  });

  it("splitRange re-derives the same children a node has in the plan", () => {
    const plan = planFanOut(777, { maxSubrequests: 4, maxDepth: 10 });
    walk(plan.root, (n) => {
      const ranges = splitRange(n.start, n.end, 4, 1);
      expect(ranges ?? []).toEqual(n.children.map((c) => [c.start, c.end]));
    });
  });

  it("refuses plans that cannot fit, naming the budget", () => {
    expectLimit(() => planFanOut(126, { maxDepth: 3 }), "depth");
    expectLimit(() => planFanOut(100, { partitionsPerLeaf: 10 }), "cpu");
    expectLimit(() => planFanOut(100, { bytesPerPartial: 300_000 }), "bytes");
    expectLimit(() => planFanOut(100, { maxSubrequests: 6 }), "subrequests");
  });

  it("rejects bad arguments with INVALID_ARGUMENT", () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => planFanOut(bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    }
    expect(() => planFanOut(10, { maxSubrequests: 1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => planFanOut(10, { budget: { maxBytes: 0 } })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
