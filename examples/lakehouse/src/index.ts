import { isEvoDBError } from "@evodb/core";
import { openTable } from "@evodb/lakehouse";
import { isValidTenant } from "@evodb/rpc";
import { CdcEdge, CdcWriter, type CdcFlushFunction } from "@evodb/rpc/durable-objects";
import { flushToLakehouse, tenantRoot } from "./lakehouse-flush";
import { QUERY_ROUTE, queryRoute } from "./query-route";
import { CONSOLE_ROUTE, consoleRoute } from "./console/route";
import { refuseBrokenDocuments } from "./schema-lock";
import { refuseDocumentRequest } from "./tenant-token";
import { VECTOR_ROUTE, vectorRoute } from "./vector-route";
import { isSchemaRoute, schemaRoute } from "./schema-route";

/**
 * The writer Durable Object of this app: the library's CDC writer, flushing to the lakehouse in
 * the R2 bucket. Users re-export or subclass exactly like this.
 */
export class LakehouseWriter extends CdcWriter<Env> {
  protected override flushFunction(): CdcFlushFunction {
    return (input) => flushToLakehouse(this.env.BUCKET, input);
  }
}

/** One document store per tenant; its CDC goes to the writer bound as EVODB_WRITER. */
export class TenantStore extends CdcEdge<Env> {}

const ROUTE = /^\/tenants\/([^/]+)(\/tables\/[^/]+\/docs(?:\/[^/]+)?)$/;
const SNAPSHOT_ROUTE = /^\/tenants\/([^/]+)\/tables\/([^/]+)\/snapshot$/;

/** The latest committed snapshot of a tenant's lakehouse table (what queries would read). */
async function latestSnapshot(env: Env, tenant: string, table: string): Promise<Response> {
  try {
    const snapshot = await (await openTable(env.BUCKET, { root: tenantRoot(tenant), name: table })).snapshot();
    if (snapshot === null) return Response.json({ snapshotId: null, lastLsn: null, dataFiles: 0 });
    return Response.json({ snapshotId: snapshot.snapshotId, lastLsn: snapshot.lastLsn, dataFiles: snapshot.dataFiles.length });
  } catch (error) {
    if (!isEvoDBError(error)) throw error;
    return Response.json({ error: error.toJSON() }, { status: error.code === "NOT_FOUND" ? 404 : error.code === "INVALID_NAME" ? 400 : 500 });
  }
}

/**
 * Routes `/tenants/:tenant/tables/:table/docs[/:key]` to the tenant's document store:
 * `POST .../docs` (one JSON object or an array, keyed by their "id"), `GET .../docs/:key`,
 * `DELETE .../docs/:key`, `GET .../docs?after=&limit=`; and `GET /tenants/:tenant/tables/:table/snapshot`
 * (the latest committed lakehouse snapshot: id, last LSN, data files); and the tenant's SQL API
 * (`@evodb/query`): `POST /tenants/:tenant/query` and `/explain`, `GET /tenants/:tenant/tables`,
 * `GET /tenants/:tenant/tables/:table/schema|snapshots`; vector search (`POST .../tables/:table/index|search`);
 * those need `Authorization: Bearer <the tenant's token or EVODB_QUERY_TOKEN>` (README, "Tokens").
 */
export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    if (CONSOLE_ROUTE.test(url.pathname)) return consoleRoute(request, url.pathname);
    const snapshotMatch = SNAPSHOT_ROUTE.exec(url.pathname);
    if (snapshotMatch !== null && request.method === "GET") {
      const tenant = decodeURIComponent(snapshotMatch[1]!);
      if (!isValidTenant(tenant)) return Response.json({ error: { code: "INVALID_NAME", message: "bad tenant name" } }, { status: 400 });
      return latestSnapshot(env, tenant, decodeURIComponent(snapshotMatch[2]!));
    }
    if (isSchemaRoute(request, url)) return schemaRoute(env, request, url);
    const queryMatch = QUERY_ROUTE.exec(url.pathname);
    if (queryMatch !== null) {
      const tenant = decodeURIComponent(queryMatch[1]!);
      if (!isValidTenant(tenant)) return Response.json({ error: { code: "INVALID_NAME", message: "bad tenant name" } }, { status: 400 });
      return queryRoute(env, request, tenant, queryMatch[2]!);
    }
    const vectorMatch = VECTOR_ROUTE.exec(url.pathname);
    if (vectorMatch !== null) return vectorRoute(env, request, vectorMatch);
    const match = ROUTE.exec(url.pathname);
    if (match === null) {
      return Response.json({ error: { code: "NOT_FOUND", message: "use /tenants/:tenant/tables/:table/docs[/:key]" } }, { status: 404 });
    }
    const tenant = decodeURIComponent(match[1]!);
    if (!isValidTenant(tenant)) {
      return Response.json({ error: { code: "INVALID_NAME", message: "tenant names are 1-128 characters of [A-Za-z0-9_-], not starting with '-'" } }, { status: 400 });
    }
    const denied = await refuseDocumentRequest(env, request, tenant);
    if (denied !== null) return denied;
    const refused = await refuseBrokenDocuments(env.BUCKET, request, tenant, match[2]!);
    if (refused !== null) return refused;
    const store = env.EVODB_EDGE.get(env.EVODB_EDGE.idFromName(tenant));
    return store.fetch(new Request(`https://tenant${match[2]}${url.search}`, request));
  },
} satisfies ExportedHandler<Env>;
