import { describe, expect, it } from "vitest";
import { generateEvents, type EventDoc } from "@evodb/test-utils";

describe("generateEvents", () => {
  const docs = generateEvents({ count: 5000, seed: 7 });

  it("is deterministic for a seed and differs between seeds", () => {
    expect(generateEvents({ count: 200, seed: 7 })).toEqual(docs.slice(0, 200));
    expect(JSON.stringify(generateEvents({ count: 200, seed: 8 }))).not.toEqual(JSON.stringify(docs.slice(0, 200)));
  });

  it("produces plain JSON that round-trips through JSON.stringify", () => {
    for (const doc of docs.slice(0, 500)) expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it("has 14-25 top-level fields, nested objects and arrays of scalars and of objects", () => {
    for (const doc of docs) {
      const keys = Object.keys(doc).length;
      expect(keys).toBeGreaterThanOrEqual(14);
      expect(keys).toBeLessThanOrEqual(25);
      expect(typeof doc.device.screen.w).toBe("number");
      expect(Array.isArray(doc.tags)).toBe(true);
    }
    expect(docs.some((d) => d.items !== undefined && d.items.length > 1 && typeof d.items[0]!.sku === "string")).toBe(true);
  });

  it("keeps missing and null distinct", () => {
    expect(docs.some((d) => !("geo" in d))).toBe(true);
    expect(docs.some((d) => d.geo === null)).toBe(true);
    expect(docs.some((d) => d.user.age === null)).toBe(true);
    expect(docs.some((d) => !("consent" in d))).toBe(true);
    expect(docs.some((d) => !("trace_id" in d))).toBe(true);
  });

  it("has a field whose type varies", () => {
    const types = new Set(docs.filter((d) => "value" in d).map((d) => (d.value === null ? "null" : typeof d.value)));
    expect([...types].sort()).toEqual(["boolean", "null", "number", "string"]);
  });

  it("has high-cardinality ids and skewed low-cardinality enums", () => {
    expect(new Set(docs.map((d) => d.event_id)).size).toBe(docs.length);
    const counts = new Map<string, number>();
    for (const d of docs) counts.set(d.type, (counts.get(d.type) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(counts.size).toBeLessThanOrEqual(14);
    // Zipf-like: the most common type is far more frequent than the rarest one.
    expect(sorted[0]! / sorted[sorted.length - 1]!).toBeGreaterThan(10);
  });

  it("writes timestamps as ISO strings and increasing epoch-millisecond ints", () => {
    let previous = 0;
    for (const doc of docs as EventDoc[]) {
      expect(Number.isSafeInteger(doc.received_at)).toBe(true);
      expect(doc.received_at).toBeGreaterThanOrEqual(previous);
      previous = doc.received_at;
      expect(new Date(doc.ts).toISOString()).toBe(doc.ts);
      expect(Date.parse(doc.ts)).toBeLessThanOrEqual(doc.received_at);
    }
  });
});
