import type { JsonValue, ShreddedBatch } from "@evodb/core";
import { GroupAggregator, type AggregateExpr } from "./aggregate";
import { BatchView } from "./batch-view";
import { evalScalar, filterRows, type EvalContext } from "./evaluate";
import { exprLabel } from "./expr-label";
import { containsAggregate, referencedPaths, type Expr, type OrderByItem, type Query } from "./query-types";
import { checkAggregation, forEachChild } from "./query-validate";
import { TopK, type ResultRow } from "./top-k";
import { allRows, vecValue, type Vec } from "./vector";

/** Output columns and rows of a query. */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: ResultRow[];
}

/**
 * Runs one {@link Query} over batches pushed one at a time, in one of three modes:
 * - plain (no ORDER BY, no aggregate): rows stream out per batch, and once LIMIT + OFFSET rows
 *   are out `satisfied` tells the scanner to stop reading;
 * - ordered: a {@link TopK} keeps the best LIMIT + OFFSET rows;
 * - aggregate: a {@link GroupAggregator} folds rows into groups; HAVING, ORDER BY, LIMIT and the
 *   select list run over the groups in `finish`.
 * It never sees the FROM clause or the snapshot: choosing and reading batches is the scanner's job.
 */
export class QueryRunner {
  /** Output column names, in select order. */
  readonly columns: readonly string[];
  private readonly query: Query;
  private readonly aggregating: boolean;
  private readonly aggregator: GroupAggregator | undefined;
  private readonly topK: TopK | undefined;
  private readonly orderBy: readonly OrderByItem[];
  private pending: ResultRow[] = [];
  private skipped = 0;
  private emitted = 0;

  constructor(query: Query) {
    checkAggregation(query);
    this.query = query;
    this.columns = outputNames(query);
    this.aggregating =
      (query.groupBy?.length ?? 0) > 0 || query.having !== undefined || query.select.some((s) => s.kind === "expr" && containsAggregate(s.expr));
    this.orderBy = resolveAliases(query);
    if (this.aggregating) {
      const calls = collectAggregates([
        ...query.select.flatMap((s) => (s.kind === "expr" ? [s.expr] : [])),
        ...(query.having ? [query.having] : []),
        ...this.orderBy.map((o) => o.expr),
      ]);
      this.aggregator = new GroupAggregator(query.groupBy ?? [], calls);
    } else if (this.orderBy.length > 0) {
      const keep = query.limit === undefined ? undefined : query.limit + (query.offset ?? 0);
      this.topK = new TopK(
        this.orderBy.map((o) => ({ descending: o.direction === "desc", nullsFirst: o.nulls === "first" })),
        keep,
      );
    }
  }

  /**
   * Paths the scan must provide, or undefined when every column is needed (`SELECT *`). A path
   * stands for its whole subtree: selecting `user` needs `user.name` too.
   */
  get neededPaths(): string[][] | undefined {
    if (this.query.select.some((s) => s.kind === "star")) return undefined;
    const exprs: Expr[] = [
      ...this.query.select.flatMap((s) => (s.kind === "expr" ? [s.expr] : [])),
      ...(this.query.where ? [this.query.where] : []),
      ...(this.query.groupBy ?? []),
      ...(this.query.having ? [this.query.having] : []),
      ...this.orderBy.map((o) => o.expr),
    ];
    return referencedPaths(exprs);
  }

  /** True once a plain query has produced all the rows LIMIT allows: further batches are not needed. */
  get satisfied(): boolean {
    return !this.aggregating && this.topK === undefined && this.query.limit !== undefined && this.emitted >= this.query.limit;
  }

  /**
   * Folds one batch in. `selection` restricts it to some rows (e.g. the live rows); `filtered`
   * says the scanner already applied WHERE to it.
   */
  push(batch: ShreddedBatch, selection?: Uint32Array, filtered = false): void {
    if (this.satisfied) return;
    const context: EvalContext = { view: new BatchView(batch) };
    let rows = selection ?? allRows(batch.rowCount);
    if (this.query.where !== undefined && !filtered) rows = filterRows(context, this.query.where, rows);
    if (rows.length === 0) return;
    if (this.aggregator !== undefined) {
      this.aggregator.add(context, rows);
    } else if (this.topK !== undefined) {
      const keys = this.orderBy.map((o) => evalScalar(context, o.expr, rows));
      this.topK.offer(keys, rows.length, (positions) => this.materialise(context, selectPositions(rows, positions)));
    } else {
      const offset = this.query.offset ?? 0;
      let start = 0;
      if (this.skipped < offset) {
        start = Math.min(rows.length, offset - this.skipped);
        this.skipped += start;
      }
      let end = rows.length;
      if (this.query.limit !== undefined) end = Math.min(end, start + this.query.limit - this.emitted);
      if (end <= start) return;
      this.emitted += end - start;
      this.pending.push(...this.materialise(context, rows.subarray(start, end)));
    }
  }

  /** Rows ready so far (plain queries stream; the others return rows only from `finish`). */
  takeRows(): ResultRow[] {
    const rows = this.pending;
    this.pending = [];
    return rows;
  }

  /** Completes the query and returns the rows not yet taken. */
  finish(): ResultRow[] {
    if (this.aggregator !== undefined) return this.finishGroups(this.aggregator);
    if (this.topK !== undefined) return this.topK.finish().slice(this.query.offset ?? 0);
    return this.takeRows();
  }

  private finishGroups(aggregator: GroupAggregator): ResultRow[] {
    const bound = aggregator.finish();
    const groups = aggregator.groupCount;
    const context: EvalContext = { view: new BatchView({ rowCount: groups, columns: [] }), bound };
    let selection = allRows(groups);
    if (this.query.having !== undefined) selection = filterRows(context, this.query.having, selection);
    const offset = this.query.offset ?? 0;
    const limit = this.query.limit;
    if (this.orderBy.length > 0) {
      const topK = new TopK(
        this.orderBy.map((o) => ({ descending: o.direction === "desc", nullsFirst: o.nulls === "first" })),
        limit === undefined ? undefined : limit + offset,
      );
      const keys = this.orderBy.map((o) => evalScalar(context, o.expr, selection));
      topK.offer(keys, selection.length, (positions) => this.materialise(context, selectPositions(selection, positions)));
      return topK.finish().slice(offset);
    }
    const end = limit === undefined ? selection.length : Math.min(selection.length, offset + limit);
    return this.materialise(context, selection.subarray(Math.min(offset, end), end));
  }

  /** Builds output rows for the given row ids. */
  private materialise(context: EvalContext, rows: Uint32Array): ResultRow[] {
    const items = this.query.select;
    const vectors: (Vec | undefined)[] = items.map((s) => (s.kind === "expr" ? evalScalar(context, s.expr, rows) : undefined));
    const out: ResultRow[] = new Array(rows.length);
    for (let j = 0; j < rows.length; j++) {
      const row: ResultRow = {};
      for (let c = 0; c < items.length; c++) {
        const vec = vectors[c];
        if (vec !== undefined) {
          setMember(row, this.columns[c]!, vecValue(vec, j));
          continue;
        }
        const doc = context.view.valueAt([], rows[j]!);
        if (doc !== null && typeof doc === "object" && !Array.isArray(doc)) {
          for (const key of Object.keys(doc)) setMember(row, key, (doc as Record<string, JsonValue>)[key]!);
        }
      }
      out[j] = row;
    }
    return out;
  }
}

/** Runs a query over a sequence of batches and collects every row. */
export async function runQuery(query: Query, batches: Iterable<ShreddedBatch> | AsyncIterable<ShreddedBatch>): Promise<QueryResult> {
  const runner = new QueryRunner(query);
  const rows: ResultRow[] = [];
  for await (const batch of batches) {
    runner.push(batch);
    rows.push(...runner.takeRows());
    if (runner.satisfied) break;
  }
  rows.push(...runner.finish());
  return { columns: runner.columns, rows };
}

function selectPositions(rows: Uint32Array, positions: Uint32Array): Uint32Array {
  const out = new Uint32Array(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = rows[positions[i]!]!;
  return out;
}

/** Defines a member even when the key is `__proto__`. */
function setMember(row: ResultRow, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true });
  else row[key] = value;
}

/** Output names: the alias, else a label of the expression; repeats get `_1`, `_2`, ... */
function outputNames(query: Query): string[] {
  const used = new Set<string>();
  return query.select.map((s) => {
    const base = s.kind === "star" ? "*" : (s.alias ?? exprLabel(s.expr));
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  });
}

/** ORDER BY may name a select alias; replace it by the aliased expression. */
function resolveAliases(query: Query): OrderByItem[] {
  const aliases = new Map<string, Expr>();
  for (const s of query.select) if (s.kind === "expr" && s.alias !== undefined) aliases.set(s.alias, s.expr);
  return (query.orderBy ?? []).map((o) => {
    if (o.expr.kind === "column" && o.expr.path.length === 1 && aliases.has(o.expr.path[0]!)) {
      return { ...o, expr: aliases.get(o.expr.path[0]!)! };
    }
    return o;
  });
}

/** Distinct aggregate calls in the expressions (by JSON text). */
function collectAggregates(exprs: readonly Expr[]): AggregateExpr[] {
  const seen = new Map<string, AggregateExpr>();
  const visit = (e: Expr): void => {
    if (e.kind === "aggregate") {
      seen.set(JSON.stringify(e), e);
      return;
    }
    forEachChild(e, visit);
  };
  exprs.forEach(visit);
  return [...seen.values()];
}
