import { describe, expect, it } from "vitest";
import { cacheControlFor, cacheKeyFor, classifyKey, parseRange } from "../src/index";

describe("cache policy", () => {
  it.each([
    ["metadata/current.json", "pointer"],
    ["tenant-a/events/metadata/current.json", "pointer"],
    ["tenant-a/events/data/day=2026-01-05/x.evodb", "immutable"],
    ["events/snapshots/00000000000000000001-ab.json", "immutable"],
    ["events/deletes/x.dv", "immutable"],
    ["events/metadata/other.json", "other"],
    ["database.sqlite", "other"],
  ])("classifies %s as %s", (key, kind) => expect(classifyKey(key)).toBe(kind));

  it("gives the pointer a short life and immutable objects a year", () => {
    expect(cacheControlFor("pointer", { pointerMaxAgeSeconds: 5 })).toBe("public, max-age=5, must-revalidate");
    expect(cacheControlFor("immutable")).toContain("immutable");
    expect(cacheControlFor("other")).toBe("no-store");
  });

  it("cache keys differ across buckets and tables and survive odd characters", () => {
    const keys = [cacheKeyFor("a", "t/data/x"), cacheKeyFor("b", "t/data/x"), cacheKeyFor("a", "u/data/x"), cacheKeyFor("a/t", "data/x"), cacheKeyFor("a", "t/data/x?y#z")];
    expect(new Set(keys).size).toBe(keys.length);
    expect(new URL(keys[4]!).pathname).toBe("/a/t/data/x%3Fy%23z");
  });
});

describe("parseRange", () => {
  it.each([
    ["bytes=0-9", 100, { kind: "range", start: 0, end: 9 }],
    ["bytes=90-", 100, { kind: "range", start: 90, end: 99 }],
    ["bytes=90-500", 100, { kind: "range", start: 90, end: 99 }],
    ["bytes=-10", 100, { kind: "range", start: 90, end: 99 }],
    ["bytes=-500", 100, { kind: "range", start: 0, end: 99 }],
    ["bytes=100-", 100, { kind: "unsatisfiable" }],
    ["bytes=5-2", 100, { kind: "unsatisfiable" }],
    ["bytes=-0", 100, { kind: "unsatisfiable" }],
    ["bytes=0-1,5-6", 100, { kind: "none" }],
    ["items=0-1", 100, { kind: "none" }],
    ["bytes=-", 100, { kind: "none" }],
  ] as const)("%s of %i bytes", (header, size, expected) => expect(parseRange(header, size)).toEqual(expected));
});
