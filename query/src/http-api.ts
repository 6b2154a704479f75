import { EvoDBError, isEvoDBError, type EvoDBErrorCode, type ObjectStore } from "@evodb/core";
import { listTables, openTable, validateTableName, type Table } from "@evodb/lakehouse";
import type { ByteCache, Query } from "@evodb/reader";
import { QueryEngine, type QueryLimits } from "./engine";

/** Options of {@link createQueryApi}. */
export interface QueryApiOptions {
  /** The bucket holding the tables (an R2 binding, or any ObjectStore). */
  readonly store: ObjectStore;
  /** The API token callers must send as `Authorization: Bearer <token>` (from the environment). */
  readonly token: string;
  /**
   * The tenant a request acts for, e.g. from a header or the path; every table name resolves under
   * this root, so a tenant can never name another tenant's table. Return undefined to refuse.
   */
  readonly tenantOf: (request: Request) => string | undefined;
  readonly cache?: ByteCache;
  readonly limits?: QueryLimits;
}

const STATUS: Partial<Record<EvoDBErrorCode, number>> = {
  QUERY_PARSE: 400,
  QUERY_INVALID: 400,
  INVALID_ARGUMENT: 400,
  INVALID_NAME: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  LIMIT_EXCEEDED: 413,
  UNSUPPORTED_FEATURE: 501,
  UNSUPPORTED_VERSION: 501,
};

/** Most bytes of a request body (a SQL text or JSON query); the SQL parser refuses more anyway. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * The query Worker's HTTP API, as a fetch handler to mount in any Worker:
 * `POST /query` (SQL text or `{"sql": …}` / a JSON query object; JSON out, NDJSON when the
 * request says `Accept: application/x-ndjson`), `POST /explain`, `GET /tables`,
 * `GET /tables/:table/schema`, `GET /tables/:table/snapshots`. Every request needs the bearer
 * token; errors are JSON `{ code, message, details? }` with the `EvoDBError` code.
 */
export function createQueryApi(options: QueryApiOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      authorise(request, options.token);
      const tenant = options.tenantOf(request);
      if (tenant === undefined) throw new EvoDBError("FORBIDDEN", "This request names no tenant; send the tenant the API expects.");
      const open = (name: string): Promise<Table> => openTable(options.store, { root: tenant, name });
      const engine = new QueryEngine({ openTable: open, ...(options.cache ? { cache: options.cache } : {}), ...(options.limits ? { limits: options.limits } : {}) });
      const url = new URL(request.url);
      const parts = url.pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
      if (request.method === "POST" && parts.length === 1 && parts[0] === "query") return await runQuery(engine, request);
      if (request.method === "POST" && parts.length === 1 && parts[0] === "explain") {
        return Response.json(await engine.explain(await readStatement(request)));
      }
      if (request.method === "GET" && parts.length === 1 && parts[0] === "tables") return Response.json({ tables: await listTables(options.store, tenant) });
      if (request.method === "GET" && parts.length === 3 && parts[0] === "tables") {
        const table = await open(validateTableName(parts[1]!));
        if (parts[2] === "schema") {
          const { schemaId, schema } = await table.schema();
          return Response.json({ table: parts[1], schemaId, schema });
        }
        if (parts[2] === "snapshots") {
          const metadata = await table.metadata();
          return Response.json({ table: metadata.name, currentSnapshotId: metadata.currentSnapshotId, snapshots: metadata.snapshots });
        }
      }
      throw new EvoDBError("NOT_FOUND", `No route ${request.method} ${url.pathname}; see the @evodb/query README for the API.`);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

function authorise(request: Request, token: string): void {
  const header = request.headers.get("authorization") ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7) : "";
  if (token === "" || !constantTimeEqual(given, token)) {
    throw new EvoDBError("UNAUTHORIZED", "Missing or wrong API token; send Authorization: Bearer <token>.");
  }
}

/** Compares without an early exit, so response time does not reveal how much of a token matched. */
function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  // charCodeAt past the end is NaN, and NaN | 0 is 0.
  for (let i = 0; i < length; i++) difference |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return difference === 0;
}

/** The statement of a request body: SQL text, `{ "sql": "…" }`, or a JSON query object. */
async function readStatement(request: Request): Promise<string | Query> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new EvoDBError("LIMIT_EXCEEDED", `The request body is over ${MAX_BODY_BYTES} bytes; send a shorter query.`);
  if (!(request.headers.get("content-type") ?? "").includes("json")) return text;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EvoDBError("QUERY_PARSE", "The request body is not valid JSON; send SQL as text/plain or {\"sql\": \"…\"}.");
  }
  if (typeof body === "object" && body !== null && typeof (body as { sql?: unknown }).sql === "string") return (body as { sql: string }).sql;
  // Any other JSON is taken as a query object; the engine validates it (QUERY_PARSE when malformed).
  return body as Query;
}

async function runQuery(engine: QueryEngine, request: Request): Promise<Response> {
  const statement = await readStatement(request);
  if (!(request.headers.get("accept") ?? "").includes("application/x-ndjson")) {
    const result = await engine.query(statement);
    return Response.json({ columns: result.columns, rows: result.rows, stats: result.stats });
  }
  // NDJSON: one line per row as blocks are scanned, then a final stats line; an error that
  // happens mid-stream becomes a last `{"error": …}` line since the status is already sent.
  const stream = engine.stream(statement);
  const encoder = new TextEncoder();
  const iterator = stream[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          controller.enqueue(encoder.encode(JSON.stringify({ stats: stream.stats }) + "\n"));
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(next.value.map((row) => JSON.stringify(row)).join("\n") + "\n"));
      } catch (error) {
        controller.enqueue(encoder.encode(JSON.stringify({ error: errorBody(error) }) + "\n"));
        controller.close();
      }
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
  return new Response(body, { headers: { "content-type": "application/x-ndjson", "x-evodb-columns": JSON.stringify(stream.columns) } });
}

function errorBody(error: unknown): { code: EvoDBErrorCode; message: string; details?: Record<string, unknown> } {
  if (isEvoDBError(error)) return error.toJSON();
  // Not an EvoDBError: a bug or a platform failure. Its message may hold internals, so the client
  // gets only the code; the platform's logs keep the exception.
  console.error(error);
  return { code: "INTERNAL", message: "Internal error; the query failed unexpectedly." };
}

function errorResponse(error: unknown): Response {
  const body = errorBody(error);
  return Response.json(body, { status: STATUS[body.code] ?? 500 });
}
