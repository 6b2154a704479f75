import { CdcEdge, CdcWriter, type CdcFlushFunction } from "@evodb/rpc/durable-objects";
import { flushToLakehouse } from "./lakehouse-flush";

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

// Stricter than the protocol's tenant rule: the tenant is also a lakehouse path segment, which
// must not start with "-" (docs/lakehouse.md, "Names").
const TENANT = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/;
const ROUTE = /^\/tenants\/([^/]+)(\/tables\/[^/]+\/docs(?:\/[^/]+)?)$/;

/**
 * Routes `/tenants/:tenant/tables/:table/docs[/:key]` to the tenant's document store:
 * `POST .../docs` (one JSON object or an array, keyed by their "id"), `GET .../docs/:key`,
 * `DELETE .../docs/:key`, `GET .../docs?after=&limit=`.
 */
export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    const match = ROUTE.exec(url.pathname);
    if (match === null) {
      return Response.json({ error: { code: "NOT_FOUND", message: "use /tenants/:tenant/tables/:table/docs[/:key]" } }, { status: 404 });
    }
    const tenant = decodeURIComponent(match[1]!);
    if (!TENANT.test(tenant)) {
      return Response.json({ error: { code: "INVALID_NAME", message: "tenant names are 1-128 characters of [A-Za-z0-9_-], not starting with '-'" } }, { status: 400 });
    }
    const store = env.EVODB_EDGE.get(env.EVODB_EDGE.idFromName(tenant));
    return store.fetch(new Request(`https://tenant${match[2]}${url.search}`, request));
  },
} satisfies ExportedHandler<Env>;
