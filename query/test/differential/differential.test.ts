import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue } from "@evodb/core";
import { generateEvents, Random } from "@evodb/test-utils";
import { MemoryByteCache, queryTable, type QueryResult } from "@evodb/reader";
import { QueryEngine, parseSql } from "../../src/index";
import { TableBuilder } from "../lakehouse-fixture";
import { DuckDBOracle, normalise } from "./duckdb-oracle";

/**
 * Differential suite, and the conformance suite of both engines: every query runs on DuckDB and,
 * over a lakehouse table holding the same rows, on `@evodb/reader` (`queryTable`, JSON query) and
 * on `@evodb/query` (`QueryEngine`, SQL). The rows must be identical. The table's history has an
 * append, then updates (delete vector + new versions) and deletes, so the final live rows differ
 * from the first snapshot's; time-travel queries read the first snapshot. The expected answers come
 * from DuckDB at test time, loaded from the same documents.
 */
const DOCUMENTS = 50_000;
const BATCH_ROWS = 6_000;

const COLUMNS: Record<string, string> = {
  event_id: "VARCHAR",
  trace_id: "VARCHAR",
  session_id: "VARCHAR",
  type: "VARCHAR",
  ts: "VARCHAR",
  received_at: "BIGINT",
  seq: "BIGINT",
  user: "STRUCT(id BIGINT, anon BOOLEAN, plan VARCHAR, age BIGINT, email_verified BOOLEAN)",
  device: "STRUCT(os VARCHAR, browser VARCHAR, browser_version VARCHAR, mobile BOOLEAN, screen STRUCT(w BIGINT, h BIGINT))",
  geo: "STRUCT(country VARCHAR, city VARCHAR, lat DOUBLE, lon DOUBLE)",
  page: "STRUCT(path VARCHAR, title VARCHAR, referrer VARCHAR)",
  duration_ms: "BIGINT",
  scroll_depth: "DOUBLE",
  query: "VARCHAR",
  items: "JSON",
  revenue: "DOUBLE",
  currency: "VARCHAR",
  tags: "JSON",
  value: "JSON",
  error: "STRUCT(code BIGINT, message VARCHAR, stack VARCHAR)",
  latency_ms: "DOUBLE",
  sampled: "BOOLEAN",
  app_version: "VARCHAR",
  experiment: "VARCHAR",
  consent: "BOOLEAN",
  label: "VARCHAR",
  score: "BIGINT",
  meta: "STRUCT(level1 STRUCT(level2 BIGINT, note VARCHAR))",
};

/** The event stream plus a few fields aimed at edge cases: code-point order, deep paths, nulls. */
function makeDocuments(): JsonValue[] {
  const random = new Random(5150);
  const labels = ["a", "Z", "é", "\uE000x", "😀", "😀a", "", "Ω", "ab", "a b"];
  return generateEvents({ count: DOCUMENTS, seed: 2026 }).map((event, i) => {
    const doc = event as unknown as { [key: string]: JsonValue };
    if (random.chance(0.8)) doc.label = random.pick(labels);
    const scoreRoll = random.next();
    if (scoreRoll < 0.6) doc.score = random.int(-50, 50);
    else if (scoreRoll < 0.8) doc.score = null;
    const metaRoll = random.next();
    if (metaRoll < 0.5) doc.meta = { level1: { level2: i % 13, ...(random.chance(0.5) ? { note: random.pick(labels) } : {}) } };
    else if (metaRoll < 0.6) doc.meta = { level1: null };
    else if (metaRoll < 0.7) doc.meta = null;
    return doc;
  });
}

const FIRST_COMMIT_MS = Date.UTC(2026, 1, 1);
const SECOND_COMMIT_MS = FIRST_COMMIT_MS + 3_600_000;

interface History {
  builder: TableBuilder;
  firstSnapshotId: number;
  firstDocs: JsonValue[];
  liveDocs: JsonValue[];
}

/**
 * Snapshot 1 appends the documents in blocks; the last block caps its paths low so some members
 * live in overflow maps rather than columns. Snapshot 2 deletes 1% of the rows; snapshot 3
 * appends new versions of half of them (an update is a delete plus the new version).
 */
async function makeHistory(docs: JsonValue[]): Promise<History> {
  const builder = await TableBuilder.create("events", FIRST_COMMIT_MS);
  const groups: JsonValue[][] = [];
  for (let start = 0; start < docs.length; start += BATCH_ROWS) groups.push(docs.slice(start, start + BATCH_ROWS));
  const first = await builder.append(groups, (i) => (i === groups.length - 1 ? { maxPaths: 24 } : {}));
  builder.setTime(SECOND_COMMIT_MS);
  const random = new Random(77);
  const deleted = new Set<JsonValue>();
  const byFile = new Map<string, number[]>();
  groups.forEach((group, g) => {
    const positions = group.flatMap((doc, i) => (random.chance(0.01) ? [i] : []));
    positions.forEach((i) => deleted.add(group[i]!));
    if (positions.length > 0) byFile.set(first.paths[g]!, positions);
  });
  await builder.deleteRows(byFile);
  const updated = [...deleted]
    .filter(() => random.chance(0.5))
    .map((doc) => ({ ...(doc as Record<string, JsonValue>), type: "updated", latency_ms: random.int(1, 900) + 0.5 }));
  await builder.append([updated]);
  const liveDocs = [...docs.filter((d) => !deleted.has(d)), ...updated];
  return { builder, firstSnapshotId: first.snapshotId, firstDocs: docs, liveDocs };
}

const QUERIES: string[] = [
  // filters
  "SELECT count(*) FROM events",
  "SELECT count(*) FROM events WHERE type = 'click'",
  "SELECT count(*) FROM events WHERE type != 'click' AND type <> 'page_view'",
  "SELECT event_id, revenue FROM events WHERE type = 'purchase' AND revenue > 100 ORDER BY event_id LIMIT 20",
  "SELECT count(*) FROM events WHERE latency_ms < 20 OR latency_ms >= 100",
  "SELECT count(*) FROM events WHERE received_at % 7 = 3",
  "SELECT count(*) FROM events WHERE seq = 0 AND page.referrer IS NOT NULL",
  "SELECT count(*) FROM events WHERE trace_id LIKE 'a%' AND trace_id < 'a8'",
  "SELECT count(*) FROM events WHERE ts >= '2026-01-05T12' AND ts < '2026-01-05T13'",
  "SELECT count(*) FROM events WHERE sampled AND consent",
  "SELECT count(*) FROM events WHERE NOT sampled",
  // nested paths
  "SELECT count(*) FROM events WHERE device.screen.w * device.screen.h > 2000000",
  "SELECT device.screen.w, count(*) FROM events GROUP BY device.screen.w ORDER BY device.screen.w",
  "SELECT count(*) FROM events WHERE meta.level1.level2 = 7",
  "SELECT meta.level1.note, count(*) FROM events GROUP BY meta.level1.note ORDER BY meta.level1.note",
  "SELECT count(*) FROM events WHERE error.code = 500",
  "SELECT error.message, count(*) FROM events WHERE error.code >= 500 GROUP BY error.message ORDER BY error.message",
  // NULL semantics
  'SELECT count(*) FROM events WHERE "user".age IS NULL',
  'SELECT count(*) FROM events WHERE "user".age IS NOT NULL',
  'SELECT count(*) FROM events WHERE NOT ("user".age > 40)',
  'SELECT count(*) FROM events WHERE "user".age > 40 OR "user".age IS NULL',
  "SELECT count(*) FROM events WHERE geo.country NOT IN ('US', NULL)",
  "SELECT count(*) FROM events WHERE geo.country NOT IN ('US', 'DE')",
  "SELECT count(*) FROM events WHERE geo IS NULL",
  "SELECT count(*) FROM events WHERE meta.level1 IS NULL AND meta IS NOT NULL",
  "SELECT count(value), count(*), count(score), sum(score) FROM events WHERE value IS NULL",
  "SELECT count(*) FROM events WHERE consent = false OR consent IS NULL",
  "SELECT count(*) FROM events WHERE score = NULL OR NOT (score != 3)",
  "SELECT count(*) FROM events WHERE items IS NOT NULL AND query IS NULL",
  // IN, BETWEEN, LIKE
  "SELECT count(*) FROM events WHERE geo.country IN ('US', 'DE', 'JP')",
  'SELECT count(*) FROM events WHERE "user".age BETWEEN 20 AND 30',
  'SELECT count(*) FROM events WHERE "user".age NOT BETWEEN 20 AND 30',
  "SELECT count(*) FROM events WHERE page.title LIKE 'Home%'",
  "SELECT count(*) FROM events WHERE page.title LIKE '%Outfitters'",
  "SELECT count(*) FROM events WHERE page.path LIKE '/product/1_3%'",
  "SELECT count(*) FROM events WHERE query NOT LIKE '%boots%'",
  "SELECT count(*) FROM events WHERE geo.city LIKE '%ü%' OR geo.city LIKE 'S_o%'",
  // GROUP BY, aggregates, HAVING
  "SELECT type, count(*) FROM events GROUP BY type ORDER BY type",
  "SELECT geo.country, count(*), avg(latency_ms), min(latency_ms), max(latency_ms) FROM events GROUP BY geo.country ORDER BY geo.country",
  "SELECT device.os, device.mobile, count(*) FROM events GROUP BY device.os, device.mobile ORDER BY device.os, device.mobile",
  "SELECT type, count(*) FROM events GROUP BY type HAVING count(*) > 1000 ORDER BY type",
  'SELECT "user".plan, avg("user".age), count("user".age) FROM events GROUP BY "user".plan HAVING avg("user".age) > 40 ORDER BY "user".plan',
  "SELECT currency, sum(revenue), count(*) FROM events WHERE type = 'purchase' GROUP BY currency ORDER BY currency",
  "SELECT sum(duration_ms * 2 + 1), avg(duration_ms / 1000) FROM events",
  "SELECT avg(scroll_depth), min(scroll_depth), max(scroll_depth) FROM events WHERE type = 'scroll'",
  "SELECT min(geo.city), max(geo.city), min(label), max(label) FROM events",
  "SELECT experiment, count(*) FROM events WHERE experiment IS NOT NULL GROUP BY experiment ORDER BY experiment",
  "SELECT score % 3, count(*), sum(score) FROM events GROUP BY score % 3 ORDER BY score % 3",
  // high cardinality: one group per document (50,000 groups)
  "SELECT event_id, count(*), max(latency_ms) FROM events GROUP BY event_id ORDER BY event_id DESC LIMIT 20",
  "SELECT session_id, count(*) AS n FROM events GROUP BY session_id HAVING count(*) > 40 ORDER BY n DESC, session_id",
  // COUNT DISTINCT
  "SELECT count(DISTINCT session_id), count(DISTINCT geo.city) FROM events",
  'SELECT "user".plan, count(DISTINCT "user".id) FROM events GROUP BY "user".plan ORDER BY "user".plan',
  "SELECT app_version, count(DISTINCT device.browser) AS browsers FROM events GROUP BY app_version ORDER BY browsers DESC, app_version",
  'SELECT sum(DISTINCT "user".age), avg(DISTINCT score) FROM events',
  // ORDER BY / LIMIT / OFFSET
  "SELECT event_id, latency_ms FROM events ORDER BY latency_ms DESC, event_id LIMIT 10",
  "SELECT event_id, latency_ms FROM events ORDER BY latency_ms, event_id LIMIT 5 OFFSET 10",
  "SELECT event_id, ts FROM events WHERE ts >= '2026-01-05T09' ORDER BY ts, event_id LIMIT 15",
  "SELECT event_id, duration_ms / 1000 AS secs FROM events WHERE duration_ms > 100000 ORDER BY secs DESC, event_id LIMIT 30",
  "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC, type LIMIT 3 OFFSET 1",
  "SELECT label, event_id FROM events ORDER BY label DESC, event_id LIMIT 50",
  "SELECT label, count(*) FROM events GROUP BY label ORDER BY label NULLS FIRST",
  "SELECT score, event_id FROM events ORDER BY score NULLS FIRST, event_id LIMIT 25",
  "SELECT event_id, -latency_ms AS neg FROM events WHERE type = 'share' ORDER BY neg, event_id LIMIT 12",
  // updates and time travel (events_v1 in DuckDB is the first snapshot's rows)
  "SELECT count(*), sum(latency_ms) FROM events WHERE type = 'updated'",
  "SELECT count(*), count(DISTINCT type) FROM events FOR SNAPSHOT AS OF {first}",
  "SELECT type, count(*), avg(latency_ms) FROM events FOR TIMESTAMP AS OF '2026-02-01T00:30:00Z' GROUP BY type ORDER BY type",
  "SELECT event_id, latency_ms FROM events FOR SNAPSHOT AS OF {first} ORDER BY latency_ms DESC, event_id LIMIT 10",
  // projections without ORDER BY (compared as multisets)
  "SELECT event_id, geo.country, \"user\".age FROM events WHERE type = 'signup'",
  "SELECT device.screen FROM events WHERE type = 'logout' AND device.os = 'Linux'",
];

let oracle: DuckDBOracle;
let history: History;
let engine: QueryEngine;

beforeAll(async () => {
  const docs = makeDocuments();
  history = await makeHistory(docs);
  engine = new QueryEngine({ openTable: async () => history.builder.table, cache: new MemoryByteCache() });
  oracle = await DuckDBOracle.create();
  await oracle.load("events", history.liveDocs, COLUMNS);
  await oracle.load("events_v1", history.firstDocs, COLUMNS);
}, 180_000);

afterAll(() => oracle?.close());

/** The same statement for DuckDB: time travel becomes a read of the first snapshot's table. */
function duckdbSql(sql: string): string {
  return sql.replace(/FROM events FOR (SNAPSHOT|TIMESTAMP) AS OF \S+/, "FROM events_v1");
}

const ENGINES: [string, (sql: string) => Promise<QueryResult>][] = [
  ["reader", (sql) => queryTable(history.builder.table, parseSql(sql).query)],
  ["query", (sql) => engine.query(sql)],
];

describe(`differential: ${QUERIES.length} queries against DuckDB on ${DOCUMENTS} documents`, () => {
  it("has at least 40 queries", () => expect(QUERIES.length).toBeGreaterThanOrEqual(40));

  describe.each(ENGINES)("%s engine", (_name, run) => {
    it.each(QUERIES)("%s", async (template) => {
      const sql = template.replace("{first}", String(history.firstSnapshotId));
      const expected = (await oracle.rows(duckdbSql(sql))).map((row) => row.map(normalise));
      const { query } = parseSql(sql);
      const result = await run(sql);
      const actual = result.rows.map((row) => result.columns.map((name) => normalise(row[name] ?? null)));
      if (query.orderBy === undefined) {
        const byText = (a: unknown[], b: unknown[]) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
        expected.sort(byText);
        actual.sort(byText);
      }
      expect(actual.length).toBe(expected.length);
      expect(actual).toEqual(expected);
      // A differential test that compares empty results proves little: every query must return rows.
      expect(expected.length).toBeGreaterThan(0);
    });
  });
});
