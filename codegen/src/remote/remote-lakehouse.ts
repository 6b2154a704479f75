import { checkSchema, type Schema } from "@evodb/core";
import { isEmptySchema, type SnapshotRef } from "@evodb/lakehouse";
import type { ExplainOutput, QueryOutput } from "@evodb/query";
import type { Lakehouse, PushOutcome, SchemaVersionInfo } from "../lakehouse";
import type { RemoteClient } from "./client";

const table = (name: string): string => `/tables/${encodeURIComponent(name)}`;

/**
 * A deployed app (`--url`): the `@evodb/query` HTTP API under `/tenants/:tenant`
 * (`query`, `explain`, `tables`, `tables/:table/schema|snapshots`) plus the app's schema routes
 * (`PUT tables/:table/schema`, `GET tables/:table/schemas/:id`, examples/lakehouse/src/schema-route.ts).
 */
export class RemoteLakehouse implements Lakehouse {
  constructor(readonly client: RemoteClient) {}

  async tableNames(): Promise<string[]> {
    const { tables } = await this.client.json<{ tables: string[] }>({ method: "GET", path: "/tables", retry: true });
    return [...tables].sort();
  }

  async history(name: string): Promise<SnapshotRef[]> {
    return (await this.client.json<{ snapshots: SnapshotRef[] }>({ method: "GET", path: `${table(name)}/snapshots`, retry: true })).snapshots;
  }

  async schema(name: string, schemaId?: number): Promise<SchemaVersionInfo | null> {
    const path = schemaId === undefined ? `${table(name)}/schema` : `${table(name)}/schemas/${schemaId}`;
    const answer = await this.client.json<{ schemaId: number; schema: unknown }>({ method: "GET", path, retry: true });
    return isEmptySchema(answer.schema) ? null : { schemaId: answer.schemaId, schema: checkSchema(answer.schema) };
  }

  query(sql: string): Promise<QueryOutput> {
    return this.client.json<QueryOutput>({ method: "POST", path: "/query", json: { sql }, retry: true });
  }

  explain(sql: string): Promise<ExplainOutput> {
    return this.client.json<ExplainOutput>({ method: "POST", path: "/explain", json: { sql }, retry: true });
  }

  async pushSchema(name: string, schema: Schema, force: boolean): Promise<PushOutcome> {
    return this.client.json<PushOutcome>({ method: "PUT", path: `${table(name)}/schema`, json: { schema, force } });
  }
}
