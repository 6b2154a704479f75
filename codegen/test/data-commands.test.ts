import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEvents } from "@evodb/test-utils";
import { evodb, ndjson, tempDir } from "./helpers";

describe("evodb ingest / query / tables / snapshots / vacuum on the local store", () => {
  const { dir, cleanup } = tempDir();
  const docs = generateEvents({ count: 3000, seed: 11 });
  const file = join(dir, "events.ndjson");
  beforeAll(() => writeFileSync(file, ndjson(docs)));
  afterAll(cleanup);

  it("ingests through the writer and answers SQL like DuckDB does on the same file", async () => {
    const ingest = await evodb(dir, ["ingest", "--table", "events", "--key", "event_id", file]);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/^events: 3000 rows committed snapshot \d+\n$/);

    const sql = "SELECT type, count(*) AS n, sum(latency_ms) AS total FROM events WHERE device.mobile = true GROUP BY type ORDER BY type";
    const ours = await evodb(dir, ["query", "--format", "json", sql]);
    expect(ours.code).toBe(0);
    const rows = JSON.parse(ours.stdout) as { type: string; n: number; total: number }[];

    const duck = await (await DuckDBInstance.create(":memory:", { threads: "1" })).connect();
    const reader = await duck.runAndReadAll(
      `SELECT type, count(*)::INTEGER AS n, sum(latency_ms)::DOUBLE AS total FROM read_json_auto('${file}') WHERE device.mobile = true GROUP BY type ORDER BY type`,
    );
    const expected = reader.getRowObjectsJS() as { type: string; n: number; total: number }[];
    expect(rows.map((r) => [r.type, r.n])).toEqual(expected.map((r) => [r.type, r.n]));
    rows.forEach((r, i) => expect(r.total).toBeCloseTo(expected[i]!.total, 6));
    duck.closeSync();
  });

  it("prints csv, ndjson and a table, and EXPLAIN", async () => {
    const sql = "SELECT event_id, seq FROM events WHERE seq < 3 ORDER BY event_id LIMIT 4";
    const json = JSON.parse((await evodb(dir, ["query", "--format", "json", sql])).stdout) as { event_id: string; seq: number }[];
    expect(json).toHaveLength(4);
    const csv = (await evodb(dir, ["query", "--format", "csv", sql])).stdout.trim().split("\n");
    expect(csv).toEqual(["event_id,seq", ...json.map((r) => `${r.event_id},${r.seq}`)]);
    const ndjson = (await evodb(dir, ["query", "--format", "ndjson", sql])).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(ndjson).toEqual(json);
    const table = (await evodb(dir, ["query", sql])).stdout;
    expect(table).toContain("event_id");
    expect(table).toContain("(4 rows)");
    const explain = await evodb(dir, ["query", "--explain", sql]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/block/i);
  });

  it("re-ingesting the same keys replaces rows instead of duplicating them", async () => {
    const again = await evodb(dir, ["ingest", "--table", "events", "--key", "event_id", file]);
    expect(again.code).toBe(0);
    const count = JSON.parse((await evodb(dir, ["query", "--format", "json", "SELECT count(*) AS n FROM events"])).stdout);
    expect(count).toEqual([{ n: 3000 }]);
  });

  it("reads stdin and JSON arrays, lists tables and snapshots, vacuums", async () => {
    const stdin = await evodb(dir, ["ingest", "--table", "small", "-"], '[{"a":1},{"a":2,"b":"x"}]');
    expect(stdin.code).toBe(0);
    const tables = JSON.parse((await evodb(dir, ["tables", "--format", "json"])).stdout) as { table: string; rows: number }[];
    expect(tables.map((t) => t.table)).toEqual(["events", "small"]);
    expect(tables.find((t) => t.table === "small")!.rows).toBe(2);
    const history = JSON.parse((await evodb(dir, ["snapshots", "events", "--format", "json"])).stdout) as { snapshot: number }[];
    expect(history.length).toBeGreaterThanOrEqual(2);
    const vacuum = await evodb(dir, ["vacuum", "events", "--retain", "0ms"]);
    expect(vacuum.code).toBe(0);
    expect(vacuum.stdout).toMatch(/expired \d+ snapshots/);
    const after = JSON.parse((await evodb(dir, ["snapshots", "events", "--format", "json"])).stdout) as unknown[];
    expect(after).toHaveLength(1);
    const count = JSON.parse((await evodb(dir, ["query", "--format", "json", "SELECT count(*) AS n FROM events"])).stdout);
    expect(count).toEqual([{ n: 3000 }]);
  });

  it("refuses bad input with the EvoDBError code and exit status 1", async () => {
    const bad = await evodb(dir, ["ingest", "--table", "events", "-"], '{"a":1}\n{"a":');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error INVALID_ARGUMENT: stdin: /);
    const parse = await evodb(dir, ["query", "SELEC 1"]);
    expect(parse.code).toBe(1);
    expect(parse.stderr).toMatch(/^error QUERY_PARSE: /);
    const missing = await evodb(dir, ["snapshots", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error NOT_FOUND: /);
  });
});
