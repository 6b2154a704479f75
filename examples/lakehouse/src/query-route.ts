import { EvoDBError, isEvoDBError, type EvoDBErrorCode } from "@evodb/core";
import { MemoryByteCache } from "@evodb/reader";
import { createQueryApi } from "@evodb/query";
import { tenantRoot } from "./lakehouse-flush";
import { rejectedDocuments } from "./schema-lock";
import { authorizeOperator, authorizeTenant, bearerToken, mintTenantToken } from "./tenant-token";

/**
 * `/tenants/:tenant/query`, `/explain`, `/tables`, `/tables/:table/schema|snapshots` (the
 * `@evodb/query` HTTP API), `GET /tables/:table/rejected` (documents the writer refused, schema-lock.ts)
 * and `POST /token` (mint the tenant's token, operator only), all scoped to the tenant the path names.
 */
export const QUERY_ROUTE = /^\/tenants\/([^/]+)(\/(?:query|explain|token|tables(?:\/[^/]+\/(?:schema|snapshots|rejected))?))$/;

// Blocks are immutable, so one cache per isolate serves every request (and every tenant: keys are
// object keys, which already include the tenant's root).
const cache = new MemoryByteCache();

const STATUS: Partial<Record<EvoDBErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_NAME: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
};

/** An error as the query API shapes it: `{ code, message, details? }` with the code's HTTP status. */
export function apiError(error: unknown): Response {
  if (!isEvoDBError(error)) throw error;
  return Response.json(error.toJSON(), { status: STATUS[error.code] ?? 500 });
}

/**
 * Answers a request for `tenant` (already validated) at `path` (the part after the tenant). Every
 * request needs `Authorization: Bearer <token>`: the tenant's own token (tenant-token.ts) or the
 * operator token EVODB_QUERY_TOKEN. No token or a wrong one gives 401; another tenant's token 403.
 */
export async function queryRoute(env: Env, request: Request, tenant: string, path: string): Promise<Response> {
  try {
    if (path === "/token") {
      if (request.method !== "POST") throw new EvoDBError("NOT_FOUND", "Mint a tenant token with POST /tenants/:tenant/token.");
      await authorizeOperator(env, request);
      return Response.json({ tenant, token: await mintTenantToken(env.EVODB_TOKEN_SECRET ?? "", tenant) });
    }
    await authorizeTenant(env, request, tenant);
    const rejected = /^\/tables\/([^/]+)\/rejected$/.exec(path);
    if (rejected !== null) {
      if (request.method !== "GET") throw new EvoDBError("NOT_FOUND", "Use GET /tenants/:tenant/tables/:table/rejected.");
      return await rejectedDocuments(env.BUCKET, tenant, decodeURIComponent(rejected[1]!));
    }
  } catch (error) {
    return apiError(error);
  }
  const api = createQueryApi({
    store: env.BUCKET,
    // The caller was authorised above (per tenant); the API's own single-token check is given the
    // verified token so it passes, rather than a second secret to keep in sync.
    token: bearerToken(request),
    tenantOf: () => tenantRoot(tenant),
    cache,
    limits: { maxRows: 10_000, maxTimeMs: 30_000 },
  });
  return api(new Request(`https://query${path}`, request));
}
