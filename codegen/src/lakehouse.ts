import type { Schema } from "@evodb/core";
import type { SchemaPushOutcome, SnapshotRef } from "@evodb/lakehouse";
import type { ExplainOutput, QueryOutput } from "@evodb/query";

/** One schema version of a table. */
export interface SchemaVersionInfo {
  readonly schemaId: number;
  readonly schema: Schema;
}

/** What `push` did: nothing (the schema already matched) or made a new version current. */
export type PushOutcome = SchemaPushOutcome;

/**
 * What the data and schema commands need from a lakehouse, whether it is a local folder (`--store`)
 * or a deployed app (`--url`): the commands are written once against this.
 */
export interface Lakehouse {
  /** Table names, sorted. */
  tableNames(): Promise<string[]>;
  /** The retained snapshot history of a table, oldest first (NOT_FOUND for an unknown table). */
  history(table: string): Promise<SnapshotRef[]>;
  /** A schema version (the current one by default); null while a flexible table has seen no document. */
  schema(table: string, schemaId?: number): Promise<SchemaVersionInfo | null>;
  /** Runs a SQL statement (docs/sql.md) and returns its rows. */
  query(sql: string): Promise<QueryOutput>;
  /** The plan of a statement (with or without a leading EXPLAIN). */
  explain(sql: string): Promise<ExplainOutput>;
  /**
   * Makes `schema` the table's current schema (`pushSchema` of @evodb/lakehouse, in-process or in the
   * app). A breaking change is refused with `SCHEMA_BREAKING_CHANGE` (the diff in `details.diff`,
   * see `breakingSchemaChangeError`) unless `force`.
   */
  pushSchema(table: string, schema: Schema, force: boolean): Promise<PushOutcome>;
}
