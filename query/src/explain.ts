import type { Table } from "@evodb/lakehouse";
import { QueryRunner, TableScan, containsAggregate, type ByteCache, type Query } from "@evodb/reader";
import { pathToName } from "@evodb/core";
import { formatExpr } from "./sql/format";

/** What EXPLAIN reports: how the query would run and what it would read. */
export interface ExplainOutput {
  readonly table: string;
  readonly snapshotId: number | null;
  /** scan: rows stream per block; top-k: ORDER BY keeps LIMIT+OFFSET rows; aggregate: hash GROUP BY. */
  readonly mode: "scan" | "top-k" | "sort" | "aggregate";
  /** Column paths read (each with its subtree); `["*"]` for every column. */
  readonly columns: readonly string[];
  readonly where: string | null;
  readonly blocks: {
    readonly total: number;
    readonly prunedByPartition: number;
    readonly prunedByZoneMap: number;
    readonly prunedByBloom: number;
    readonly toRead: number;
    /** Blocks a run would not open at all: COUNT(*) without WHERE takes their row counts from the snapshot. */
    readonly countedFromMetadata: number;
  };
  readonly bytes: {
    /** Bytes of all data files of the snapshot. */
    readonly table: number;
    /**
     * Bytes EXPLAIN itself read: the footers of blocks that partition and snapshot stats kept, plus
     * the bloom filters of columns an `=`/IN predicate probes (`bloomFilters` of them).
     */
    readonly footers: number;
    readonly bloomFilters: number;
    /** Column chunk bytes a run would read at most (late materialisation may read less). */
    readonly columnChunks: number;
  };
  /** The same, as lines of text. */
  readonly text: string;
}

/** Plans a query on a table without reading column data (footers only). */
export async function explainQuery(table: Table, query: Query, cache?: ByteCache): Promise<ExplainOutput> {
  const runner = new QueryRunner(query);
  const paths = runner.neededPaths;
  const scan = new TableScan(table, {
    ...(query.snapshot ? { snapshot: query.snapshot } : {}),
    ...(query.where ? { where: query.where } : {}),
    ...(paths ? { paths } : {}),
    ...(cache ? { cache } : {}),
  });
  const files = await scan.explainFiles();
  const s = scan.stats;
  const aggregating = (query.groupBy?.length ?? 0) > 0 || query.having !== undefined || query.select.some((i) => i.kind === "expr" && containsAggregate(i.expr));
  const mode = aggregating ? "aggregate" : query.orderBy?.length ? (query.limit !== undefined ? "top-k" : "sort") : "scan";
  const countedFromMetadata = scan.countsFromMetadata() ? files.filter((f) => f.prunedBy === undefined).length : 0;
  const toRead = files.filter((f) => f.prunedBy === undefined).length - countedFromMetadata;
  const columnChunks = files.reduce((sum, f) => sum + (f.chunkBytes ?? 0), 0);
  const output = {
    table: query.from,
    snapshotId: s.snapshotId,
    mode,
    columns: paths === undefined ? ["*"] : paths.map((p) => pathToName(p)),
    where: query.where ? formatExpr(query.where) : null,
    blocks: {
      total: s.blocksTotal,
      prunedByPartition: s.blocksPrunedByPartition,
      prunedByZoneMap: s.blocksPrunedByZoneMap,
      prunedByBloom: s.blocksPrunedByBloom,
      toRead,
      countedFromMetadata,
    },
    bytes: { table: s.tableBytes, footers: s.bytesRead, bloomFilters: s.bloomFiltersRead, columnChunks },
  } as const;
  const text = [
    `${mode.toUpperCase()} ${query.from} @ snapshot ${s.snapshotId ?? "(empty table)"}`,
    `  columns: ${output.columns.join(", ") || "(none: row counts only)"}`,
    `  filter: ${output.where ?? "(none)"}`,
    `  blocks: ${s.blocksTotal} total, ${s.blocksPrunedByPartition} pruned by partition, ${s.blocksPrunedByZoneMap} by zone map, ${s.blocksPrunedByBloom} by bloom filter, ${toRead} to read` +
      (countedFromMetadata > 0 ? `, ${countedFromMetadata} counted from snapshot row counts (not opened)` : ""),
    `  bytes: ${columnChunks} of column chunks at most (+ ${s.bytesRead} of footers and ${s.bloomFiltersRead} bloom filters) of ${s.tableBytes} in the table`,
  ].join("\n");
  return { ...output, text };
}
