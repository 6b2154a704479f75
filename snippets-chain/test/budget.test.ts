import { describe, expect, it } from "vitest";
import { BudgetTracker, SNIPPET_BUDGET } from "../src/index";

describe("BudgetTracker", () => {
  it("allows exactly the Snippet's 5 subrequests and refuses the sixth, naming the budget", () => {
    const tracker = new BudgetTracker({ ...SNIPPET_BUDGET });
    for (let i = 0; i < 5; i++) tracker.chargeSubrequest();
    expect(tracker.canStartSubrequest()).toBe(false);
    expect(() => tracker.chargeSubrequest()).toThrow(expect.objectContaining({ code: "LIMIT_EXCEEDED", details: { budget: "subrequests", needed: 6, limit: 5 } }));
    expect(tracker.subrequests).toBe(5);
  });

  it("refuses bytes and CPU past their limits without charging them", () => {
    const tracker = new BudgetTracker({ maxSubrequests: 5, maxBytes: 100, maxCpuUnits: 10 });
    tracker.chargeBytes(100);
    expect(() => tracker.chargeBytes(1)).toThrow(expect.objectContaining({ code: "LIMIT_EXCEEDED", details: expect.objectContaining({ budget: "bytes" }) }));
    expect(tracker.bytes).toBe(100);
    expect(() => tracker.chargeCpu(11)).toThrow(expect.objectContaining({ details: expect.objectContaining({ budget: "cpu" }) }));
    expect(tracker.cpuUnits).toBe(0);
  });
});
