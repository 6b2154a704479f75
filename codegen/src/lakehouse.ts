import { diffSchemas, EvoDBError, type Schema, type SchemaDiff } from "@evodb/core";
import type { SnapshotRef } from "@evodb/lakehouse";
import type { ExplainOutput, QueryOutput } from "@evodb/query";

/** One schema version of a table. */
export interface SchemaVersionInfo {
  readonly schemaId: number;
  readonly schema: Schema;
}

/** What `push` did: nothing (the schema already matched) or made a new version current. */
export interface PushOutcome {
  readonly schemaId: number;
  readonly changed: boolean;
}

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
   * Makes `schema` the table's current schema. A breaking change is refused with
   * `SCHEMA_BREAKING_CHANGE` (the diff in `details.diff`, see {@link breakingChangeError}) unless `force`.
   */
  pushSchema(table: string, schema: Schema, force: boolean): Promise<PushOutcome>;
}

/** An empty object is the schema of a flexible table before its first document. */
export function isEmptySchema(schema: unknown): boolean {
  return schema !== null && typeof schema === "object" && !Array.isArray(schema) && Object.keys(schema).length === 0;
}

/**
 * What a push of `incoming` over `current` must do (docs/schema.md section 6): nothing when fields
 * and lock mode match, refuse a breaking change without `force`, else evolve.
 */
export function planPush(current: SchemaVersionInfo | null, incoming: Schema, force: boolean): "unchanged" | "evolve" {
  if (current === null) return "evolve";
  const change = diffSchemas(current.schema, incoming);
  // diffSchemas compares fields; locking or unlocking alone is a change too.
  if (change.classification === "none" && current.schema.locked === incoming.locked) return "unchanged";
  if (change.classification === "breaking" && !force) throw breakingChangeError(current.schemaId, change);
  return "evolve";
}

/** The refusal of a breaking push: `details` carries the current schema id and the diff. */
export function breakingChangeError(currentSchemaId: number, diff: SchemaDiff): EvoDBError {
  const breaking = diff.changes.filter((c) => c.breaking).length;
  return new EvoDBError("SCHEMA_BREAKING_CHANGE", `The schema breaks schema ${currentSchemaId} (${breaking} breaking change${breaking === 1 ? "" : "s"}); push it with force to create a new version anyway.`, {
    details: { currentSchemaId, diff },
  });
}
