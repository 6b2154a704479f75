/**
 * The queries of the query section written the way a hyparquet user would write them: hyparquet is
 * a Parquet reader, not a SQL engine, so each query reads only the top-level columns it needs (its
 * `columns` selection; a nested path such as `device.os` needs the whole `device` struct column,
 * which is the finest selection hyparquet offers) from the in-memory file with the footer parsed
 * once, then filters and aggregates in a plain loop. Answers come back as rows of plain values in
 * the same shape as the SQL engines' results, so they are checked against DuckDB too.
 */
import { parquetRead } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { hyparquetDecodeColumn, type InMemoryParquet } from "./parquet";

/** Decodes several top-level columns (concurrently, as independent column reads). */
export function readColumns(file: InMemoryParquet, names: readonly string[]): Promise<ArrayLike<unknown>[]> {
  return Promise.all(names.map((name) => hyparquetDecodeColumn(file, name)));
}

/** A nullable number as a number (INT64 arrive as bigint). */
function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === "bigint" ? Number(value) : (value as number);
}

/** `SELECT COUNT(*), SUM(duration_ms), AVG(latency_ms) FROM events WHERE device.os = os`. */
export async function filterAggregate(file: InMemoryParquet, os: string): Promise<unknown[][]> {
  const [device, duration, latency] = await readColumns(file, ["device", "duration_ms", "latency_ms"]);
  let count = 0;
  let durationSum = 0;
  let durationCount = 0;
  let latencySum = 0;
  let latencyCount = 0;
  for (let i = 0; i < device!.length; i++) {
    if ((device![i] as { os?: string } | null)?.os !== os) continue;
    count++;
    const d = num(duration![i]);
    if (d !== null) {
      durationSum += d;
      durationCount++;
    }
    const l = num(latency![i]);
    if (l !== null) {
      latencySum += l;
      latencyCount++;
    }
  }
  return [[count, durationCount > 0 ? durationSum : null, latencyCount > 0 ? latencySum / latencyCount : null]];
}

/** `SELECT type, COUNT(*), SUM(revenue), AVG(latency_ms) FROM events GROUP BY type ORDER BY type`. */
export async function groupByType(file: InMemoryParquet): Promise<unknown[][]> {
  const [type, revenue, latency] = await readColumns(file, ["type", "revenue", "latency_ms"]);
  const groups = new Map<unknown, { count: number; revenueSum: number; revenueCount: number; latencySum: number; latencyCount: number }>();
  for (let i = 0; i < type!.length; i++) {
    const key = type![i] ?? null;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { count: 0, revenueSum: 0, revenueCount: 0, latencySum: 0, latencyCount: 0 }));
    group.count++;
    const r = num(revenue![i]);
    if (r !== null) {
      group.revenueSum += r;
      group.revenueCount++;
    }
    const l = num(latency![i]);
    if (l !== null) {
      group.latencySum += l;
      group.latencyCount++;
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0))
    .map(([key, g]) => [key, g.count, g.revenueCount > 0 ? g.revenueSum : null, g.latencyCount > 0 ? g.latencySum / g.latencyCount : null]);
}

/** `SELECT event_id, session_id, revenue FROM events WHERE type = type AND revenue > minRevenue`. */
export async function selectiveFilter(file: InMemoryParquet, type: string, minRevenue: number): Promise<unknown[][]> {
  const [types, revenue] = await readColumns(file, ["type", "revenue"]);
  const matches: number[] = [];
  for (let i = 0; i < types!.length; i++) {
    if (types![i] !== type) continue;
    const r = num(revenue![i]);
    if (r !== null && r > minRevenue) matches.push(i);
  }
  // Late materialisation by hand: the two output string columns are decoded only if a row matched.
  if (matches.length === 0) return [];
  const [eventId, sessionId] = await readColumns(file, ["event_id", "session_id"]);
  return matches.map((i) => [eventId![i], sessionId![i], num(revenue![i])]);
}

/** `SELECT COUNT(*), AVG(duration_ms) FROM events WHERE received_at >= from AND received_at < to`. */
export async function timeRange(file: InMemoryParquet, fromMs: number, toMs: number): Promise<unknown[][]> {
  const [received, duration] = await readColumns(file, ["received_at", "duration_ms"]);
  let count = 0;
  let durationSum = 0;
  let durationCount = 0;
  for (let i = 0; i < received!.length; i++) {
    const t = num(received![i]);
    if (t === null || t < fromMs || t >= toMs) continue;
    count++;
    const d = num(duration![i]);
    if (d !== null) {
      durationSum += d;
      durationCount++;
    }
  }
  return [[count, durationCount > 0 ? durationSum / durationCount : null]];
}

/**
 * `SELECT event_id, type, ts, revenue FROM events WHERE event_id = id`: decodes the key column to
 * find the row, then reads only that row of the other columns (hyparquet's rowStart/rowEnd).
 */
export async function pointLookup(file: InMemoryParquet, id: string): Promise<unknown[][]> {
  const [keys] = await readColumns(file, ["event_id"]);
  const out: unknown[][] = [];
  for (let i = 0; i < keys!.length; i++) {
    if (keys![i] !== id) continue;
    await parquetRead({
      file: file.buffer,
      metadata: file.metadata,
      columns: ["event_id", "type", "ts", "revenue"],
      rowStart: i,
      rowEnd: i + 1,
      compressors,
      onComplete: (rows: unknown[][]) => {
        for (const row of rows) out.push([row[0], row[1], row[2], num(row[3])]);
      },
    });
  }
  return out;
}
