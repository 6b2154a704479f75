import { checkSchema, diffSchemas, EvoDBError, type Schema, type SchemaDiff } from "@evodb/core";
import type { Table } from "./table";
import type { Json } from "./types";

/** What {@link pushSchema} did: nothing (the schema already matched) or made a new version current. */
export interface SchemaPushOutcome {
  readonly schemaId: number;
  readonly changed: boolean;
}

/**
 * True for `{}`, the schema of a flexible table before its first document (what `createTable`
 * writes without a `schema`): there is nothing to diff against, so any declared schema may replace it.
 */
export function isEmptySchema(schema: unknown): boolean {
  return schema !== null && typeof schema === "object" && !Array.isArray(schema) && Object.keys(schema).length === 0;
}

/**
 * What a push of `incoming` over `current` (null for an empty schema) must do: nothing when the
 * fields (docs/schema.md section 6, by id) and the lock mode match; a breaking change is refused with
 * {@link breakingSchemaChangeError} unless `force`; anything else adds a version.
 */
export function planSchemaPush(current: { schemaId: number; schema: Schema } | null, incoming: Schema, force: boolean): "unchanged" | "evolve" {
  if (current === null) return "evolve";
  const diff = diffSchemas(current.schema, incoming);
  // diffSchemas compares fields only; locking or unlocking alone is a change too.
  if (diff.classification === "none" && current.schema.locked === incoming.locked) return "unchanged";
  if (diff.classification === "breaking" && !force) throw breakingSchemaChangeError(current.schemaId, diff);
  return "evolve";
}

/**
 * The refusal of a breaking push: code `SCHEMA_BREAKING_CHANGE`, `details.currentSchemaId` and
 * `details.diff` (the {@link SchemaDiff}) so a CLI or an HTTP client can show what breaks.
 */
export function breakingSchemaChangeError(currentSchemaId: number, diff: SchemaDiff): EvoDBError {
  const breaking = diff.changes.filter((c) => c.breaking).length;
  return new EvoDBError("SCHEMA_BREAKING_CHANGE", `The schema breaks schema ${currentSchemaId} (${breaking} breaking change${breaking === 1 ? "" : "s"}); push it with force to create a new version anyway.`, {
    details: { currentSchemaId, diff },
  });
}

/**
 * Makes `incoming` (core's schema, docs/schema.md) the table's current schema — the "push" of a
 * declared schema, shared by `evodb push` and the app's `PUT .../schema`. Per {@link planSchemaPush}:
 * unchanged when it already matches, `SCHEMA_BREAKING_CHANGE` for a breaking change without
 * `force`, else a new version added by compare-and-swap against the version the diff was made with
 * (`COMMIT_CONFLICT` when another schema change got in first; re-push to diff against it).
 * The table's current schema must be `{}` or a valid schema (`CORRUPT_METADATA` otherwise).
 */
export async function pushSchema(table: Table, incoming: Schema, options: { force?: boolean } = {}): Promise<SchemaPushOutcome> {
  const { schemaId, schema } = await table.schema();
  const current = isEmptySchema(schema) ? null : { schemaId, schema: checkSchema(schema) };
  if (planSchemaPush(current, incoming, options.force === true) === "unchanged") return { schemaId, changed: false };
  const version = await table.evolveSchema(incoming as unknown as Json, { expectedSchemaId: schemaId });
  return { schemaId: version.schemaId, changed: true };
}
