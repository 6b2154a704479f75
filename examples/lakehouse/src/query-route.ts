import { MemoryByteCache } from "@evodb/reader";
import { createQueryApi } from "@evodb/query";
import { tenantRoot } from "./lakehouse-flush";

/**
 * `/tenants/:tenant/query`, `/explain`, `/tables`, `/tables/:table/schema|snapshots`: the
 * `@evodb/query` HTTP API, scoped to the tenant the path names (every table resolves under
 * `tenants/<tenant>/`, the root the writer commits to).
 */
export const QUERY_ROUTE = /^\/tenants\/([^/]+)(\/(?:query|explain|tables(?:\/[^/]+\/(?:schema|snapshots))?))$/;

// Blocks are immutable, so one cache per isolate serves every request (and every tenant: keys are
// object keys, which already include the tenant's root).
const cache = new MemoryByteCache();

/**
 * Answers a query API request for `tenant` (already validated) at `path` (the part after the
 * tenant). Needs `Authorization: Bearer <EVODB_QUERY_TOKEN>`; without a configured token every
 * request is refused (401), never served open.
 */
export function queryRoute(env: Env, request: Request, tenant: string, path: string): Promise<Response> {
  const api = createQueryApi({
    store: env.BUCKET,
    token: env.EVODB_QUERY_TOKEN ?? "",
    tenantOf: () => tenantRoot(tenant),
    cache,
    limits: { maxRows: 10_000, maxTimeMs: 30_000 },
  });
  return api(new Request(`https://query${path}`, request));
}
