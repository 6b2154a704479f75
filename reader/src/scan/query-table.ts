import type { Table } from "@evodb/lakehouse";
import { QueryRunner, type QueryResult } from "../execute";
import type { Query } from "../query-types";
import type { ByteCache } from "./byte-cache";
import { TableScan, type ScanLimits, type ScanStats } from "./table-scan";

/** Options of {@link queryTable}. */
export interface QueryTableOptions {
  readonly cache?: ByteCache;
  readonly limits?: ScanLimits;
}

/**
 * Runs a query on a lakehouse table and collects the rows: the whole read path of the minimal
 * engine (snapshot, pruning, range reads, live rows, filter, project, aggregate, sort, limit).
 * `query.from` is not consulted: the caller has already opened the table it names.
 */
export async function queryTable(table: Table, query: Query, options: QueryTableOptions = {}): Promise<QueryResult & { stats: ScanStats }> {
  const runner = new QueryRunner(query);
  const scan = new TableScan(table, {
    ...(query.snapshot ? { snapshot: query.snapshot } : {}),
    ...(query.where ? { where: query.where } : {}),
    ...(runner.neededPaths ? { paths: runner.neededPaths } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const rows: QueryResult["rows"] = [];
  for await (const block of scan.blocks()) {
    runner.push(block.batch, block.selection, block.filtered);
    rows.push(...runner.takeRows());
    if (runner.satisfied) break;
  }
  rows.push(...runner.finish());
  return { columns: runner.columns, rows, stats: scan.stats };
}
