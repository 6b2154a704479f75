import { describe, expect, it } from "vitest";
import { evodbErrorCode } from "@evodb/test-utils";
import { parseWriterShards, tenantShardHash, writerShardName } from "../src/writer-shard";

describe("writer shards", () => {
  it("hashes with FNV-1a 32 (the published test vectors)", () => {
    expect(tenantShardHash("")).toBe(0x811c9dc5);
    expect(tenantShardHash("a")).toBe(0xe40c292c);
    expect(tenantShardHash("foobar")).toBe(0xbf9cf968);
  });

  it("keeps the single writer's name with one shard, and picks hash mod shards otherwise", () => {
    expect(writerShardName("acme", 1)).toBe("evodb-writer");
    expect(writerShardName("a", 1000)).toBe(`evodb-writer-shard-${0xe40c292c % 1000}`);
    expect(writerShardName("foobar", 7)).toBe(`evodb-writer-shard-${0xbf9cf968 % 7}`);
  });

  it("spreads 10,000 tenants evenly over 8 writers", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const name = writerShardName(`tenant-${i}`, 8);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect(counts.size).toBe(8);
    for (const count of counts.values()) expect(count).toBeGreaterThan(1000);
  });

  it("reads EVODB_WRITER_SHARDS: absent is 1, a bad value is refused", () => {
    expect(parseWriterShards(undefined)).toBe(1);
    expect(parseWriterShards("")).toBe(1);
    expect(parseWriterShards("16")).toBe(16);
    for (const bad of ["0", "-2", "1.5", "abc", "1025", "1e9"]) {
      expect(evodbErrorCode(() => parseWriterShards(bad))).toBe("INVALID_ARGUMENT");
    }
  });
});
