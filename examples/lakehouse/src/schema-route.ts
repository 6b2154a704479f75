import { checkSchema, EvoDBError, isEvoDBError, parseJson, type EvoDBErrorCode, type Schema } from "@evodb/core";
import { openTable, pushSchema } from "@evodb/lakehouse";
import { openOrCreateTable, tenantRoot } from "./lakehouse-flush";
import { authorizeTenant, checkTenant } from "./tenant-token";

/**
 * Schema routes of the app, next to the query API's `GET .../schema`:
 * `PUT /tenants/:tenant/tables/:table/schema` with `{ "schema": <docs/schema.md JSON>, "force"?: bool }`
 * declares or locks the table's schema (creating the table if it does not exist yet), and
 * `GET /tenants/:tenant/tables/:table/schemas/:schemaId` returns one schema version (what
 * `evodb diff` compares). `evodb push --url` and `evodb diff --url` use them. Both take the query
 * routes' tokens: the tenant's own or the operator token (tenant-token.ts).
 */
const PUT_ROUTE = /^\/tenants\/([^/]+)\/tables\/([^/]+)\/schema$/;
const VERSION_ROUTE = /^\/tenants\/([^/]+)\/tables\/([^/]+)\/schemas\/(\d+)$/;

/** A schema file is small; anything bigger than this is not one. */
const MAX_BODY_BYTES = 1 << 20;

const STATUS: Partial<Record<EvoDBErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_NAME: 400,
  CORRUPT_METADATA: 400,
  UNSUPPORTED_VERSION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SCHEMA_BREAKING_CHANGE: 409,
  COMMIT_CONFLICT: 409,
};

/** True for the requests {@link schemaRoute} answers. */
export function isSchemaRoute(request: Request, url: URL): boolean {
  return (request.method === "PUT" && PUT_ROUTE.test(url.pathname)) || (request.method === "GET" && VERSION_ROUTE.test(url.pathname));
}

/** Answers a request {@link isSchemaRoute} accepted. Errors are the query API's `{ code, message, details? }`. */
export async function schemaRoute(env: Env, request: Request, url: URL): Promise<Response> {
  const match = (request.method === "PUT" ? PUT_ROUTE : VERSION_ROUTE).exec(url.pathname)!;
  try {
    const tenant = checkTenant(decodeURIComponent(match[1]!));
    const name = decodeURIComponent(match[2]!);
    // The query routes' credentials: the tenant's own token or the operator token.
    await authorizeTenant(env, request, tenant);
    if (request.method === "GET") {
      const table = await openTable(env.BUCKET, { root: tenantRoot(tenant), name });
      return Response.json({ table: name, ...(await table.schema(Number(match[3]))) });
    }
    const { schema, force } = await readPut(request);
    // docs/schema.md section 6 decides: unchanged, refused (409 with the diff) unless force, or a new version.
    return Response.json(await pushSchema(await openOrCreateTable(env.BUCKET, tenant, name), schema, { force }));
  } catch (error) {
    if (!isEvoDBError(error)) {
      // A bug or a platform failure: the client gets only the code, the logs keep the exception.
      console.error(error);
      return Response.json({ code: "INTERNAL", message: "Internal error; the schema request failed unexpectedly." }, { status: 500 });
    }
    return Response.json(error.toJSON(), { status: STATUS[error.code] ?? 500 });
  }
}

async function readPut(request: Request): Promise<{ schema: Schema; force: boolean }> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new EvoDBError("INVALID_ARGUMENT", `The request body is over ${MAX_BODY_BYTES} bytes; a schema is far smaller.`);
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (error) {
    throw new EvoDBError("INVALID_ARGUMENT", 'The body is not JSON; send {"schema": <schema JSON>, "force": false}.', { cause: error });
  }
  const { schema, force } = (body ?? {}) as { schema?: unknown; force?: unknown };
  if (force !== undefined && typeof force !== "boolean") throw new EvoDBError("INVALID_ARGUMENT", '"force" must be true or false.');
  return { schema: checkSchema(schema), force: force === true };
}
