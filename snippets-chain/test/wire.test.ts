import { describe, expect, it } from "vitest";
import { isEvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { WIRE_VERSION, expandRanges, normalizeRanges, parseNodeRequest, parseNodeResponse } from "../src/index";

const request = { v: WIRE_VERSION, reducer: "count", query: null, range: [0, 10], fanOut: 5, partitionsPerLeaf: 1, failure: "fail", timeoutMs: 100, attempts: 2, level: 0 };
const stats = { nodes: 1, subrequests: 0, retries: 0, maxNodeSubrequests: 0 };

describe("wire format v1", () => {
  it("accepts a valid request and responses", () => {
    expect(parseNodeRequest(JSON.parse(JSON.stringify(request)))).toEqual(request);
    expect(parseNodeResponse({ v: 1, ok: true, result: 3, partial: false, missing: [], stats }).ok).toBe(true);
    const error = parseNodeResponse({ v: 1, ok: false, error: { code: "TIMEOUT", message: "late" }, missing: [[1, 2]], stats });
    expect(error.ok ? null : error.error.code).toBe("TIMEOUT");
  });

  it("refuses unknown versions with UNSUPPORTED_VERSION", () => {
    for (const v of [0, 2, "1", undefined]) {
      expect(() => parseNodeRequest({ ...request, v })).toThrow(expect.objectContaining({ code: "UNSUPPORTED_VERSION" }));
      expect(() => parseNodeResponse({ v, ok: true, result: 1, partial: false, missing: [], stats })).toThrow(expect.objectContaining({ code: "UNSUPPORTED_VERSION" }));
    }
  });

  it("random mutations of a request give EvoDBError or a valid request, never a crash", () => {
    const random = new Random(31);
    const fields = Object.keys(request);
    const junk = [null, -1, 1.5, "x", [], {}, [5, 2], true, 2 ** 60];
    for (let i = 0; i < 500; i++) {
      const mutated: Record<string, unknown> = { ...request };
      const field = random.pick(fields);
      if (random.chance(0.2)) delete mutated[field];
      else mutated[field] = random.pick(junk);
      try {
        const parsed = parseNodeRequest(mutated);
        expect(parsed.range[1]).toBeGreaterThanOrEqual(parsed.range[0]);
      } catch (error) {
        expect(isEvoDBError(error)).toBe(true);
      }
    }
    expect(() => parseNodeResponse({ v: 1, ok: false, error: { code: "MADE_UP", message: "x" }, missing: [], stats })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("normalizes ranges: sorted, joined, empty dropped", () => {
    expect(normalizeRanges([[5, 6], [0, 2], [2, 3], [7, 7], [1, 2]])).toEqual([[0, 3], [5, 6]]);
    expect(expandRanges([[3, 5], [0, 1]])).toEqual([0, 3, 4]);
  });
});
