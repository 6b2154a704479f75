import { beforeAll, describe, expect, it } from "vitest";
import { EvoDBError, isEvoDBError, type JsonValue } from "@evodb/core";
import { generateEvents } from "@evodb/test-utils";
import { MemoryByteCache } from "@evodb/reader";
import { QueryEngine } from "../src/index";
import { TableBuilder } from "./lakehouse-fixture";

const BLOCKS = 10;
const BLOCK_ROWS = 500;
let builder: TableBuilder;
let engine: QueryEngine;
let docs: JsonValue[];

beforeAll(async () => {
  docs = generateEvents({ count: BLOCKS * BLOCK_ROWS, seed: 3 }) as unknown as JsonValue[];
  builder = await TableBuilder.create("events", Date.UTC(2026, 2, 1));
  await builder.append(Array.from({ length: BLOCKS }, (_, b) => docs.slice(b * BLOCK_ROWS, (b + 1) * BLOCK_ROWS)));
  engine = new QueryEngine({
    openTable: async (name) => {
      if (name !== "events") throw new EvoDBError("NOT_FOUND", `No table ${name}.`);
      return builder.table;
    },
    cache: new MemoryByteCache(),
  });
}, 60_000);

describe("QueryEngine", () => {
  it("EXPLAIN reports the pruning of a point lookup and reads no column chunk", async () => {
    const id = (docs[BLOCK_ROWS * 4 + 7] as { event_id: string }).event_id;
    const output = await engine.execute(`EXPLAIN SELECT type FROM events WHERE event_id = '${id}'`);
    if (output.kind !== "explain") throw new Error("expected a plan");
    expect(output.mode).toBe("scan");
    expect(output.columns).toEqual(["type", "event_id"]);
    expect(output.blocks.total).toBe(BLOCKS);
    expect(output.blocks.toRead).toBeLessThanOrEqual(2);
    expect(output.blocks.prunedByBloom + output.blocks.prunedByZoneMap).toBe(BLOCKS - output.blocks.toRead);
    expect(output.bytes.columnChunks).toBeGreaterThan(0);
    expect(output.bytes.footers).toBeLessThan(output.bytes.table);
    expect(output.text).toContain("by bloom filter");
    const run = await engine.query(`SELECT type FROM events WHERE event_id = '${id}'`);
    expect(run.rows).toEqual([{ type: (docs[BLOCK_ROWS * 4 + 7] as { type: string }).type }]);
    expect(run.stats.blocksRead).toBe(output.blocks.toRead);
  });

  it("streams a plain query block by block and stops reading once LIMIT is met", async () => {
    const stream = engine.stream("SELECT event_id FROM events WHERE seq >= 0");
    let batches = 0;
    let rows = 0;
    for await (const batch of stream) {
      batches++;
      rows += batch.length;
    }
    expect(batches).toBe(BLOCKS);
    expect(rows).toBe(docs.length);
    expect(stream.stats.rowsReturned).toBe(docs.length);
    const limited = await engine.query("SELECT event_id FROM events LIMIT 5");
    expect(limited.rows.map((r) => r.event_id)).toEqual(docs.slice(0, 5).map((d) => (d as { event_id: string }).event_id));
    expect(limited.stats.blocksRead).toBe(1);
  });

  it("accepts the JSON query object and refuses a malformed one", async () => {
    const json = { select: [{ kind: "expr", expr: { kind: "aggregate", fn: "count", distinct: false } }], from: "events" };
    expect((await engine.query(json as never)).rows).toEqual([{ "count(*)": docs.length }]);
    await expect(engine.query({ select: [], from: "events" } as never)).rejects.toSatisfy((e) => isEvoDBError(e, "QUERY_PARSE"));
  });

  it("stops with LIMIT_EXCEEDED on too many rows or bytes, naming the limit", async () => {
    await expect(engine.query("SELECT event_id FROM events", { maxRows: 100 })).rejects.toSatisfy(
      (e) => isEvoDBError(e, "LIMIT_EXCEEDED") && e.details?.limit === "maxRows",
    );
    await expect(engine.query("SELECT * FROM events", { maxBytesScanned: 50_000 })).rejects.toSatisfy(
      (e) => isEvoDBError(e, "LIMIT_EXCEEDED") && e.details?.limit === "maxBytesScanned",
    );
    expect((await engine.query("SELECT count(*) FROM events", { maxRows: 1 })).rows).toHaveLength(1);
  });

  it("passes errors of the table resolver and of snapshot selection through", async () => {
    await expect(engine.query("SELECT a FROM nope")).rejects.toSatisfy((e) => isEvoDBError(e, "NOT_FOUND"));
    await expect(engine.query("SELECT a FROM events FOR SNAPSHOT AS OF 999")).rejects.toSatisfy((e) => isEvoDBError(e, "NOT_FOUND"));
    await expect(engine.query("SELECT a FROM events FOR SNAPSHOT AS OF 'x'")).rejects.toSatisfy((e) => isEvoDBError(e, "QUERY_INVALID"));
    await expect(engine.query("SELECT a FROM events FOR TIMESTAMP AS OF '2020-01-01T00:00:00Z'")).rejects.toSatisfy((e) => isEvoDBError(e, "NOT_FOUND"));
  });
});
