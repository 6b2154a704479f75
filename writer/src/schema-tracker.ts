import { assertValid, checkSchema, EvoDBError, inferSchema, mergeSchemas, type JsonValue, type Schema } from "@evodb/core";
import { isEmptySchema, type Json, type Table } from "@evodb/lakehouse";

/** Attempts at widening the table schema when another writer changed it at the same time. */
const MAX_SCHEMA_ATTEMPTS = 5;

/**
 * The table schema as the writer applies it (docs/writer.md, "Schema"). The lakehouse stores
 * schema versions as opaque JSON; the writer keeps core's schema (docs/schema.md) in them. A table
 * whose current schema is `{}` has none yet: the first flush infers it.
 * - Flexible (`locked: false`): every flush widens the schema to cover its documents, committed
 *   as a new schema version before the data that needs it.
 * - Locked: a document that breaks the schema is refused with `SCHEMA_MISMATCH`.
 */
export class SchemaTracker {
  private constructor(
    private schema: Schema | null,
    private schemaId: number,
  ) {}

  /** Reads the table's current schema version. */
  static async load(table: Table): Promise<SchemaTracker> {
    const { schemaId, schema: json } = await table.schema();
    return new SchemaTracker(isEmptySchema(json) ? null : checkSchema(json), schemaId);
  }

  /** The schema in force, or null before the first flush of a flexible table. */
  get current(): Schema | null {
    return this.schema;
  }

  /** Throws `SCHEMA_MISMATCH` (naming path, expected and actual type) when a locked schema refuses `document`. */
  check(document: JsonValue): void {
    if (this.schema?.locked === true) assertValid(this.schema, document);
  }

  /** Widens a flexible schema to cover `documents` and commits it if it changed. */
  async widen(table: Table, documents: readonly JsonValue[]): Promise<void> {
    if (documents.length === 0 || this.schema?.locked === true) return;
    const incoming = inferSchema(documents);
    for (let attempt = 1; ; attempt++) {
      const next = this.schema === null ? incoming : mergeSchemas(this.schema, incoming);
      if (next === this.schema) return;
      try {
        const version = await table.evolveSchema(next as unknown as Json, { expectedSchemaId: this.schemaId });
        this.schema = next;
        this.schemaId = version.schemaId;
        return;
      } catch (error) {
        if (!(error instanceof EvoDBError) || error.code !== "COMMIT_CONFLICT" || attempt >= MAX_SCHEMA_ATTEMPTS) throw error;
        // Another writer evolved the schema: merge into its version instead.
        const fresh = await SchemaTracker.load(table);
        this.schema = fresh.schema;
        this.schemaId = fresh.schemaId;
        if (this.schema?.locked === true) {
          for (const document of documents) this.check(document);
          return;
        }
      }
    }
  }
}
