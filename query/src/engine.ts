import { EvoDBError } from "@evodb/core";
import type { Table } from "@evodb/lakehouse";
import {
  emptyScanStats,
  QueryRunner,
  TableScan,
  validateQuery,
  type ByteCache,
  type Query,
  type ResultRow,
  type ScanStats,
} from "@evodb/reader";
import { explainQuery, type ExplainOutput } from "./explain";
import { parseSql } from "./sql/parse";

/** Limits of one query; each one stops the query with `LIMIT_EXCEEDED` and says which. */
export interface QueryLimits {
  /** Most bytes of blocks (footers and column chunks, cached or not) one query may read. */
  readonly maxBytesScanned?: number;
  /** Most rows one query may return (an error, not a silent truncation: add LIMIT to truncate). */
  readonly maxRows?: number;
  /** Most milliseconds one query may run. */
  readonly maxTimeMs?: number;
}

/** Options of a {@link QueryEngine}. */
export interface QueryEngineOptions {
  /**
   * Opens the table a query names. This is where a multi-tenant host scopes names to a tenant;
   * throw `EvoDBError` NOT_FOUND or FORBIDDEN for names the caller may not read.
   */
  readonly openTable: (name: string) => Promise<Table>;
  /** Cache of immutable block reads (a {@link MemoryByteCache} in Node, the Cache API on Workers). */
  readonly cache?: ByteCache;
  /** Defaults for every query; per-call limits override them. */
  readonly limits?: QueryLimits;
}

/** Everything a query did, reported with every result. */
export interface QueryStats extends ScanStats {
  rowsReturned: number;
  /** Milliseconds: parse, scan+execute, total (the scan's own stages are in `timeMs`). */
  elapsedMs: { parse: number; execute: number; total: number };
}

/** Rows and stats of a query. */
export interface QueryOutput {
  readonly columns: readonly string[];
  readonly rows: ResultRow[];
  readonly stats: QueryStats;
}

/** A statement's result: rows, or a plan for EXPLAIN. */
export type StatementOutput = ({ kind: "rows" } & QueryOutput) | ({ kind: "explain" } & ExplainOutput);

/**
 * The advanced engine: SQL or JSON queries over lakehouse tables, with the planner of the shared
 * scanner (partition, zone-map and bloom pruning, range reads of needed columns, late
 * materialisation), top-k ORDER BY ... LIMIT, streaming results, EXPLAIN, stats and limits.
 */
export class QueryEngine {
  constructor(private readonly options: QueryEngineOptions) {}

  /** Runs a statement; `EXPLAIN ...` returns the plan instead of rows. */
  async execute(statement: string | Query, limits?: QueryLimits): Promise<StatementOutput> {
    const { explain, query } = this.parse(statement);
    if (explain) return { kind: "explain", ...(await this.explain(query)) };
    return { kind: "rows", ...(await this.query(query, limits)) };
  }

  /** Runs a query and collects its rows. */
  async query(statement: string | Query, limits?: QueryLimits): Promise<QueryOutput> {
    const stream = this.stream(statement, limits);
    const rows: ResultRow[] = [];
    for await (const batch of stream) rows.push(...batch);
    return { columns: stream.columns, rows, stats: stream.stats };
  }

  /**
   * Runs a query as a stream of row batches. Plain queries yield rows block by block and stop
   * reading once LIMIT is met; aggregates and ORDER BY yield once at the end (top-k keeps only
   * LIMIT + OFFSET rows meanwhile). `columns` and `stats` are filled as the stream runs.
   */
  stream(statement: string | Query, limits?: QueryLimits): QueryStream {
    const started = performance.now();
    const { query } = this.parse(statement);
    return new QueryStream(this.options, query, { ...this.options.limits, ...limits }, performance.now() - started);
  }

  /** The plan of a query: snapshot, pruning per stage, columns and bytes it would read. */
  async explain(statement: string | Query): Promise<ExplainOutput> {
    const query = this.parse(statement).query;
    return explainQuery(await this.options.openTable(query.from), query, this.options.cache);
  }

  private parse(statement: string | Query): { explain: boolean; query: Query } {
    return typeof statement === "string" ? parseSql(statement) : { explain: false, query: validateQuery(statement) };
  }
}

/** An async iterable of row batches with the query's output columns and live stats. */
export class QueryStream implements AsyncIterable<ResultRow[]> {
  readonly columns: readonly string[];
  readonly stats: QueryStats;
  private readonly runner: QueryRunner;
  private readonly started = performance.now();

  constructor(
    private readonly options: QueryEngineOptions,
    private readonly query: Query,
    private readonly limits: QueryLimits,
    parseMs: number,
  ) {
    this.runner = new QueryRunner(query);
    this.columns = this.runner.columns;
    this.stats = {
      ...emptyScanStats(),
      rowsReturned: 0,
      elapsedMs: { parse: parseMs, execute: 0, total: parseMs },
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ResultRow[]> {
    const table = await this.options.openTable(this.query.from);
    const scan = new TableScan(table, {
      ...(this.query.snapshot ? { snapshot: this.query.snapshot } : {}),
      ...(this.query.where ? { where: this.query.where } : {}),
      ...(this.runner.neededPaths ? { paths: this.runner.neededPaths } : {}),
      ...(this.options.cache ? { cache: this.options.cache } : {}),
      limits: {
        ...(this.limits.maxBytesScanned !== undefined ? { maxBytesScanned: this.limits.maxBytesScanned } : {}),
        ...(this.limits.maxTimeMs !== undefined ? { maxTimeMs: this.limits.maxTimeMs } : {}),
      },
    });
    try {
      for await (const block of scan.blocks()) {
        this.runner.push(block.batch, block.selection, block.filtered);
        const rows = this.runner.takeRows();
        if (rows.length > 0) yield this.count(rows);
        if (this.runner.satisfied) break;
      }
      const rest = this.runner.finish();
      if (rest.length > 0) yield this.count(rest);
    } finally {
      Object.assign(this.stats, scan.stats, { rowsReturned: this.stats.rowsReturned });
      this.stats.elapsedMs.execute = performance.now() - this.started;
      this.stats.elapsedMs.total = this.stats.elapsedMs.parse + this.stats.elapsedMs.execute;
    }
  }

  private count(rows: ResultRow[]): ResultRow[] {
    this.stats.rowsReturned += rows.length;
    const max = this.limits.maxRows;
    if (max !== undefined && this.stats.rowsReturned > max) {
      throw new EvoDBError("LIMIT_EXCEEDED", `The query returns more than ${max} rows; add LIMIT, a narrower WHERE or raise maxRows.`, {
        details: { limit: "maxRows", max },
      });
    }
    return rows;
  }
}
