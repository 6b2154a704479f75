/**
 * Locked schemas at the app's door (README, "Locked schemas"). The writer already refuses documents
 * that break a locked schema (SchemaTracker, docs/writer.md), but it sees them only after the
 * tenant's Durable Object accepted them, so the client would get 201 and the document would end up
 * under dead-letter/. Checking posted documents here too gives the client the error (HTTP 422,
 * SCHEMA_MISMATCH naming path and expected type) and stores nothing. The writer's check stays as
 * the backstop for writes that race with the lock.
 */
import { assertValid, checkSchema, EvoDBError, isEvoDBError, parseJson, type JsonValue, type Schema } from "@evodb/core";
import { isEmptySchema, parseSchemaFile, parseTableMetadata, POINTER_PATH, tablePrefix, validateTableName } from "@evodb/lakehouse";
import { tenantRoot } from "./lakehouse-flush";

/** HTTP status of a refused document: the request is well-formed but its content is not accepted. */
export const SCHEMA_MISMATCH_STATUS = 422;

// Schema files are immutable (docs/lakehouse.md), so a parsed one is valid forever; the key is the
// object key, which includes the tenant's root. `null`: the table has no schema yet.
const schemaFiles = new Map<string, Schema | null>();
const MAX_CACHED_SCHEMAS = 1000;

// Per table pointer (object key): its etag when last read and the schema file it named (`null`:
// none). The pointer changes with every commit, so it is read on every POST, but conditionally:
// while its etag is unchanged R2 answers without a body and the pointer, whose snapshot list grows
// with the table's history, is not downloaded and parsed again.
const pointers = new Map<string, { etag: string; schemaPath: string | null }>();
const MAX_CACHED_POINTERS = 1000;

/** The path of the current schema file named by a table's pointer; null when it names none. */
async function currentSchemaPath(store: R2Bucket, prefix: string): Promise<string | null> {
  const key = prefix + POINTER_PATH;
  const cached = pointers.get(key);
  let object: R2ObjectBody | null;
  if (cached === undefined) {
    object = await store.get(key);
  } else {
    const conditional: R2Object | R2ObjectBody | null = await store.get(key, { onlyIf: { etagDoesNotMatch: cached.etag } });
    if (conditional !== null && !("body" in conditional)) {
      // No body: the etag matched, this is the pointer read last time.
      if (conditional.etag === cached.etag) return cached.schemaPath;
      object = await store.get(key);
    } else {
      object = conditional;
    }
  }
  if (object === null) throw new EvoDBError("NOT_FOUND", `Table ${prefix} does not exist (no ${key}).`, { details: { key } });
  const metadata = parseTableMetadata(await object.text(), key);
  const schemaPath = metadata.schemas.find((version) => version.schemaId === metadata.currentSchemaId)?.path ?? null;
  if (pointers.size >= MAX_CACHED_POINTERS) pointers.delete(pointers.keys().next().value!);
  pointers.set(key, { etag: object.etag, schemaPath });
  return schemaPath;
}

/** The current schema of a tenant's table; null when the table does not exist or has none yet. */
async function currentSchema(store: R2Bucket, tenant: string, table: string): Promise<Schema | null> {
  const prefix = tablePrefix(tenantRoot(tenant), table);
  let path: string | null;
  try {
    path = await currentSchemaPath(store, prefix);
  } catch (error) {
    // No table yet: its first flush creates it flexible, so nothing can be refused.
    if (isEvoDBError(error, "NOT_FOUND")) return null;
    throw error;
  }
  if (path === null) return null;
  const key = prefix + path;
  const cached = schemaFiles.get(key);
  if (cached !== undefined) return cached;
  const object = await store.get(key);
  if (object === null) throw new EvoDBError("CORRUPT_METADATA", `Schema file ${key} is missing; restore it from a backup.`, { details: { key } });
  const json = parseSchemaFile(await object.text(), key);
  const schema = isEmptySchema(json) ? null : checkSchema(json);
  if (schemaFiles.size >= MAX_CACHED_SCHEMAS) schemaFiles.delete(schemaFiles.keys().next().value!);
  schemaFiles.set(key, schema);
  return schema;
}

/**
 * For `POST /tables/:table/docs` (`docsPath`, relative to the tenant): when the table's schema is
 * locked, checks every posted document and answers 422 for the first one that breaks it (nothing of
 * the batch is stored). Null means "go on": not a document post, a flexible table, or a body the
 * tenant's Durable Object will refuse with its own error.
 */
export async function refuseBrokenDocuments(store: R2Bucket, request: Request, tenant: string, docsPath: string): Promise<Response | null> {
  const match = /^\/tables\/([^/]+)\/docs$/.exec(docsPath);
  if (request.method !== "POST" || match === null) return null;
  let schema: Schema | null;
  try {
    schema = await currentSchema(store, tenant, decodeURIComponent(match[1]!));
  } catch (error) {
    // A bad table name: the Durable Object answers it with INVALID_NAME.
    if (isEvoDBError(error, "INVALID_NAME")) return null;
    throw error;
  }
  if (schema === null || !schema.locked) return null;
  let body: JsonValue;
  try {
    body = parseJson(await request.clone().text());
  } catch (error) {
    if (isEvoDBError(error)) return null;
    throw error;
  }
  const documents = Array.isArray(body) ? body : [body];
  for (let index = 0; index < documents.length; index++) {
    const document = documents[index]!;
    try {
      assertValid(schema, document);
    } catch (error) {
      if (!isEvoDBError(error, "SCHEMA_MISMATCH")) throw error;
      const id = typeof document === "object" && document !== null && !Array.isArray(document) ? (document as Record<string, JsonValue>)["id"] : undefined;
      const refused = new EvoDBError(
        "SCHEMA_MISMATCH",
        `Document ${index}${id === undefined ? "" : ` (id ${JSON.stringify(typeof id === "bigint" ? String(id) : id)})`} of the request was refused and nothing of it was stored. ${error.message}`,
        { details: { ...error.details, index, schemaVersion: schema.version } },
      );
      return Response.json({ error: refused.toJSON() }, { status: SCHEMA_MISMATCH_STATUS });
    }
  }
  return null;
}

/** Most dead-letter objects one `GET …/rejected` returns (one listing page). */
const MAX_REJECTED_OBJECTS = 100;

/**
 * `GET /tenants/:tenant/tables/:table/rejected`: the entries the writer refused for this table
 * (written before a lock landed, or through the Durable Object's RPC), as
 * `{"table", "rejected": [{lsn, op, key, error, document}], "truncated"}`, oldest first. The
 * dead-letter objects are spliced as stored, so documents keep integers beyond 2^53.
 */
export async function rejectedDocuments(store: R2Bucket, tenant: string, table: string): Promise<Response> {
  const prefix = `dead-letter/${tenant}/${validateTableName(table)}/`;
  const listing = await store.list({ prefix, limit: MAX_REJECTED_OBJECTS });
  // Keys are `<firstLsn>-<lastLsn>.json` (lakehouse-flush.ts): order them by LSN, not as text.
  const keys = listing.objects.map((object) => object.key).sort((a, b) => Number.parseInt(a.slice(prefix.length), 10) - Number.parseInt(b.slice(prefix.length), 10));
  const parts: string[] = [];
  for (const key of keys) {
    const object = await store.get(key);
    // Each object is a JSON array of entries; its inside is spliced into one array.
    const text = object === null ? "[]" : (await object.text()).trim();
    if (!text.startsWith("[") || !text.endsWith("]")) throw new EvoDBError("CORRUPT_METADATA", `Dead-letter object ${key} is not a JSON array; inspect it in the bucket.`, { details: { key } });
    if (text.length > 2) parts.push(text.slice(1, -1));
  }
  return new Response(`{"table":${JSON.stringify(table)},"rejected":[${parts.join(",")}],"truncated":${listing.truncated}}`, { headers: { "content-type": "application/json" } });
}
