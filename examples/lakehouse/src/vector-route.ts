/**
 * Vector search over a tenant's table (README, "Vector search"):
 * `POST /tenants/:tenant/tables/:table/index` builds a `@evodb/snippets-lance` IVF + SQ8 index from
 * the vectors in one field of the table's live rows (latest committed snapshot) and stores it in R2;
 * `POST /tenants/:tenant/tables/:table/search` with `{"vector": [...], "k": 10}` answers the nearest
 * documents. Both need the tenant's token or the operator token (tenant-token.ts).
 */
import { EvoDBError, isEvoDBError, parseJson, type JsonValue } from "@evodb/core";
import { openTable } from "@evodb/lakehouse";
import { buildIndex, decodeHeader, search, writeIndex, type IndexHeader, type Metric } from "@evodb/snippets-lance";
import { readLiveRows } from "@evodb/writer";
import { tenantRoot } from "./lakehouse-flush";
import { apiError } from "./query-route";
import { authorizeTenant, checkTenant } from "./tenant-token";

/** `/tenants/:tenant/tables/:table/index|search`. */
export const VECTOR_ROUTE = /^\/tenants\/([^/]+)\/tables\/([^/]+)\/(index|search)$/;

/** Version of the keys object written beside each index (README, "Vector search"). */
const KEYS_FORMAT_VERSION = 1;
/** Most results one search may ask for: each result is one read of the tenant's Durable Object. */
const MAX_K = 100;
const FIELD_PATTERN = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

/** The keys object: row id `i` of the index is the document `keys[i]` of snapshot `snapshotId`. */
interface IndexKeys {
  formatVersion: number;
  snapshotId: number;
  field: string;
  keys: string[];
}

// Keys objects are immutable (their name carries the data object's CRC), so they are cached per isolate.
const keysCache = new Map<string, IndexKeys>();
const MAX_CACHED_KEYS = 64;

/** Where a table's index over `field` lives: outside every table prefix, so table maintenance never deletes it. */
export function vectorIndexName(tenant: string, table: string, field: string): string {
  return `vector-indexes/${tenant}/${table}/${field}`;
}

/** Handles a request matched by {@link VECTOR_ROUTE}. */
export async function vectorRoute(env: Env, request: Request, match: RegExpExecArray): Promise<Response> {
  try {
    const tenant = checkTenant(decodeURIComponent(match[1]!));
    const table = decodeURIComponent(match[2]!);
    await authorizeTenant(env, request, tenant);
    if (request.method !== "POST") throw new EvoDBError("NOT_FOUND", `Use POST ${new URL(request.url).pathname}.`);
    const body = await readBody(request);
    return match[3] === "index" ? await buildRoute(env, tenant, table, body) : await searchRoute(env, tenant, table, body);
  } catch (error) {
    return apiError(error);
  }
}

async function readBody(request: Request): Promise<Record<string, JsonValue>> {
  const text = await request.text();
  if (text.trim() === "") return {};
  let body: JsonValue;
  try {
    body = parseJson(text);
  } catch (cause) {
    throw new EvoDBError("INVALID_ARGUMENT", "The request body must be a JSON object.", { cause });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new EvoDBError("INVALID_ARGUMENT", "The request body must be a JSON object.");
  return body as Record<string, JsonValue>;
}

function fieldOf(body: Record<string, JsonValue>): string {
  const field = body["field"] ?? "embedding";
  if (typeof field !== "string" || !FIELD_PATTERN.test(field)) throw new EvoDBError("INVALID_ARGUMENT", '"field" must be a member path such as "embedding" or "meta.vector".');
  return field;
}

/** The value at a dotted path of a document, or undefined. */
function valueAt(document: JsonValue, path: readonly string[]): JsonValue | undefined {
  let value: JsonValue | undefined = document;
  for (const name of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, JsonValue>)[name];
  }
  return value;
}

/** Builds and stores the index; rows whose field is not a numeric array of the common dimension are skipped. */
async function buildRoute(env: Env, tenant: string, table: string, body: Record<string, JsonValue>): Promise<Response> {
  const started = performance.now();
  const field = fieldOf(body);
  const metric = body["metric"] ?? "l2";
  if (metric !== "l2" && metric !== "cosine") throw new EvoDBError("INVALID_ARGUMENT", '"metric" must be "l2" or "cosine".');
  const refine = body["refine"] ?? true;
  if (typeof refine !== "boolean") throw new EvoDBError("INVALID_ARGUMENT", '"refine" must be true or false.');
  const handle = await openTable(env.BUCKET, { root: tenantRoot(tenant), name: table });
  const snapshot = await handle.snapshot();
  if (snapshot === null) throw new EvoDBError("NOT_FOUND", `Table ${table} has no committed snapshot yet; write documents and wait for the commit.`);
  const rows = await readLiveRows(handle, { snapshotId: snapshot.snapshotId });

  const path = field.split(".");
  const keys: string[] = [];
  let dim = 0;
  let skipped = 0;
  const values: number[] = [];
  for (const row of rows) {
    const vector = valueAt(row.document, path);
    if (!Array.isArray(vector) || vector.length === 0 || (dim !== 0 && vector.length !== dim) || !vector.every((x) => typeof x === "number" && Number.isFinite(x))) {
      skipped++;
      continue;
    }
    dim = vector.length;
    for (const x of vector) values.push(x as number);
    // Documents are keyed by string ids in this app: the canonical key is `s:<id>` (writer/src/row-key.ts).
    keys.push(row.key.startsWith("s:") ? row.key.slice(2) : row.key);
  }
  if (keys.length === 0) throw new EvoDBError("INVALID_ARGUMENT", `No live row of ${table} has a numeric array in "${field}"; nothing to index.`);

  const name = vectorIndexName(tenant, table, field);
  const previous = await env.BUCKET.get(`${name}/header`);
  const previousDataKey = previous === null ? null : decodeHeader(new Uint8Array(await previous.arrayBuffer())).dataKey;
  const built = buildIndex(Float32Array.from(values), { dim, metric: metric as Metric, refine });
  const keysObject: IndexKeys = { formatVersion: KEYS_FORMAT_VERSION, snapshotId: snapshot.snapshotId, field, keys };
  // Data and keys before the header (writeIndex writes the header last): a reader never finds a
  // header whose objects are missing.
  await env.BUCKET.put(`${name}/${keysKey(built.dataKey)}`, JSON.stringify(keysObject));
  await writeIndex(env.BUCKET, name, built);
  // Keep the previous generation for searches that read its header just before the swap; drop older ones.
  const keep = new Set([built.dataKey, previousDataKey].flatMap((key) => (key === null ? [] : [`${name}/${key}`, `${name}/${keysKey(key)}`])));
  const stale = (await env.BUCKET.list({ prefix: `${name}/` })).objects.map((object) => object.key).filter((key) => !keep.has(key) && !key.endsWith("/header"));
  if (stale.length > 0) await env.BUCKET.delete(stale);
  const header = decodeHeader(built.header);
  return Response.json({
    index: name,
    snapshotId: snapshot.snapshotId,
    field,
    metric,
    rows: keys.length,
    skipped,
    dim,
    partitions: header.partitionCount,
    bytes: { header: built.header.length, data: built.data.length },
    elapsedMs: performance.now() - started,
  });
}

function keysKey(dataKey: string): string {
  return `${dataKey.replace(/^data-/, "keys-")}.json`;
}

async function readKeys(bucket: R2Bucket, key: string): Promise<IndexKeys> {
  const cached = keysCache.get(key);
  if (cached !== undefined) return cached;
  const object = await bucket.get(key);
  if (object === null) throw new EvoDBError("NOT_FOUND", `The keys object ${key} of the vector index is missing; rebuild the index (POST .../index).`);
  let parsed: IndexKeys;
  try {
    parsed = JSON.parse(await object.text()) as IndexKeys;
  } catch (cause) {
    throw new EvoDBError("CORRUPT_METADATA", `The keys object ${key} of the vector index is not JSON; rebuild the index (POST .../index).`, { cause, details: { key } });
  }
  if (typeof parsed !== "object" || parsed === null || parsed.formatVersion !== KEYS_FORMAT_VERSION || !Array.isArray(parsed.keys)) {
    throw new EvoDBError("UNSUPPORTED_VERSION", `The keys object ${key} has format version ${String(parsed.formatVersion)}; this app reads ${KEYS_FORMAT_VERSION}. Rebuild the index.`);
  }
  if (keysCache.size >= MAX_CACHED_KEYS) keysCache.delete(keysCache.keys().next().value!);
  keysCache.set(key, parsed);
  return parsed;
}

/** Searches the index and attaches each hit's current document from the tenant's Durable Object. */
async function searchRoute(env: Env, tenant: string, table: string, body: Record<string, JsonValue>): Promise<Response> {
  const started = performance.now();
  const field = fieldOf(body);
  const vector = body["vector"];
  if (!Array.isArray(vector) || !vector.every((x) => typeof x === "number")) throw new EvoDBError("INVALID_ARGUMENT", '"vector" must be an array of numbers.');
  const k = body["k"] ?? 10;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1 || k > MAX_K) throw new EvoDBError("INVALID_ARGUMENT", `"k" must be an integer in 1..${MAX_K}.`);
  const nprobes = body["nprobes"];
  if (nprobes !== undefined && (typeof nprobes !== "number" || !Number.isInteger(nprobes) || nprobes < 1)) throw new EvoDBError("INVALID_ARGUMENT", '"nprobes" must be a positive integer.');

  const name = vectorIndexName(tenant, table, field);
  // A fresh header map per request: the header is what changes on a rebuild, so it is not kept
  // across requests; after the search it tells which keys object belongs to the data read.
  const headers = new Map<string, IndexHeader>();
  let hits;
  try {
    hits = await search(env.BUCKET, vector as number[], { index: name, k, headerCache: headers, ...(nprobes === undefined ? {} : { nprobes }) });
  } catch (error) {
    if (isEvoDBError(error, "NOT_FOUND")) throw new EvoDBError("NOT_FOUND", `Table ${table} has no vector index over "${field}"; build it with POST /tenants/${tenant}/tables/${table}/index.`, { cause: error });
    throw error;
  }
  const searchMs = performance.now() - started;
  const index = await readKeys(env.BUCKET, `${name}/${keysKey(headers.get(name)!.dataKey)}`);
  const store = env.EVODB_EDGE.get(env.EVODB_EDGE.idFromName(tenant));
  // Each document is spliced in as the JSON text the store holds, so integers beyond 2^53 survive.
  const results = await Promise.all(Array.from(hits.rowIds, async (rowId, i) => {
    const id = index.keys[rowId]!;
    const json = await store.get(table, id);
    return `{"id":${JSON.stringify(id)},"distance":${hits.distances[i]!},"document":${json ?? "null"}}`;
  }));
  const stats = { fetches: hits.fetches, bytesRead: hits.bytesRead, partitionsProbed: hits.partitionsProbed, searchMs, elapsedMs: performance.now() - started };
  return new Response(`{"snapshotId":${index.snapshotId},"field":${JSON.stringify(field)},"results":[${results.join(",")}],"stats":${JSON.stringify(stats)}}`, {
    headers: { "content-type": "application/json" },
  });
}
