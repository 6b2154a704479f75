import { EvoDBError, isEvoDBError, type ObjectStore } from "@evodb/core";
import { expireSnapshots, removeOrphanFiles } from "@evodb/lakehouse";
import { formatRows, type RowFormat } from "../format";
import type { CliIO } from "../io";
import type { Lakehouse } from "../lakehouse";
import { openLocalTable } from "../local-store";

export interface QueryCommandOptions {
  format: RowFormat;
  explain?: boolean;
}

const EXPLAIN_PREFIX = /^\s*explain\b/i;

/**
 * A QUERY_PARSE error with the offending line of the SQL and a caret under the position the
 * parser reported (`details.line` / `details.column`, 1-based).
 */
function withPosition(error: EvoDBError, sql: string): EvoDBError {
  const { line, column } = (error.details ?? {}) as { line?: unknown; column?: unknown };
  if (typeof line !== "number" || typeof column !== "number") return error;
  const text = sql.split("\n")[line - 1];
  if (text === undefined) return error;
  return new EvoDBError(error.code, `${error.message}\n  ${text}\n  ${" ".repeat(Math.max(0, column - 1))}^`, { cause: error, ...(error.details ? { details: error.details } : {}) });
}

/** `evodb query`: SQL through @evodb/query, in-process or through the app's query API. */
export async function query(io: CliIO, lakehouse: Lakehouse, sql: string, options: QueryCommandOptions): Promise<void> {
  try {
    if (options.explain === true || EXPLAIN_PREFIX.test(sql)) {
      const plan = await lakehouse.explain(sql);
      io.stdout(options.format === "json" ? `${JSON.stringify(plan)}\n` : `${plan.text}\n`);
      return;
    }
    const output = await lakehouse.query(sql);
    io.stdout(formatRows(output.rows, options.format, output.columns));
    if (options.format === "table") {
      const s = output.stats;
      io.stderr(`${s.blocksRead}/${s.blocksTotal} blocks read, ${s.elapsedMs.total.toFixed(1)} ms\n`);
    }
  } catch (error) {
    if (isEvoDBError(error, "QUERY_PARSE")) throw withPosition(error, sql);
    throw error;
  }
}

/** `evodb tables`: each table with its current snapshot, rows (before row-level deletes) and files. */
export async function tables(io: CliIO, lakehouse: Lakehouse, format: RowFormat): Promise<void> {
  const rows = [];
  for (const name of await lakehouse.tableNames()) {
    const current = (await lakehouse.history(name)).at(-1);
    rows.push({ table: name, snapshot: current?.snapshotId ?? null, rows: current?.summary.totalRows ?? 0, files: current?.summary.totalFiles ?? 0 });
  }
  io.stdout(formatRows(rows, format, ["table", "snapshot", "rows", "files"]));
}

/** `evodb snapshots T`. */
export async function snapshots(io: CliIO, lakehouse: Lakehouse, name: string, format: RowFormat): Promise<void> {
  const rows = (await lakehouse.history(name)).map((s) => ({
    snapshot: s.snapshotId,
    parent: s.parentId,
    time: new Date(s.timestampMs).toISOString(),
    operation: s.operation,
    schema: s.schemaId,
    ...s.summary,
  }));
  io.stdout(formatRows(rows, format));
}

/** `evodb vacuum T` (local store only): expire old snapshots (keeping the newest `retainLast`) and delete orphaned files. */
export async function vacuum(io: CliIO, store: ObjectStore, name: string, options: { retainMs: number; retainLast: number }): Promise<void> {
  const table = await openLocalTable(store, name);
  const expired = await expireSnapshots(table, { olderThanMs: Date.now() - options.retainMs, retainLast: options.retainLast });
  const orphans = await removeOrphanFiles(table);
  io.stdout(`${name}: expired ${expired.expired.length} snapshots, deleted ${expired.deletedKeys.length + orphans.length} files\n`);
}
