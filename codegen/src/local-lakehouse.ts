import { checkSchema, type ObjectStore, type Schema } from "@evodb/core";
import { isEmptySchema, listTables, pushSchema, type SnapshotRef } from "@evodb/lakehouse";
import { QueryEngine, type ExplainOutput, type QueryOutput } from "@evodb/query";
import { MemoryByteCache } from "@evodb/reader";
import type { Lakehouse, PushOutcome, SchemaVersionInfo } from "./lakehouse";
import { openLocalTable } from "./local-store";

/** The embedded default: a lakehouse folder on the filesystem store, read and written in-process. */
export class LocalLakehouse implements Lakehouse {
  private readonly engine: QueryEngine;

  constructor(readonly store: ObjectStore) {
    this.engine = new QueryEngine({ openTable: (name) => openLocalTable(store, name), cache: new MemoryByteCache() });
  }

  tableNames(): Promise<string[]> {
    return listTables(this.store);
  }

  async history(table: string): Promise<SnapshotRef[]> {
    return (await openLocalTable(this.store, table)).history();
  }

  async schema(table: string, schemaId?: number): Promise<SchemaVersionInfo | null> {
    const { schemaId: id, schema } = await (await openLocalTable(this.store, table)).schema(schemaId);
    return isEmptySchema(schema) ? null : { schemaId: id, schema: checkSchema(schema) };
  }

  query(sql: string): Promise<QueryOutput> {
    return this.engine.query(sql);
  }

  explain(sql: string): Promise<ExplainOutput> {
    return this.engine.explain(sql);
  }

  async pushSchema(table: string, schema: Schema, force: boolean): Promise<PushOutcome> {
    return pushSchema(await openLocalTable(this.store, table), schema, { force });
  }
}
