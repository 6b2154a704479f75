import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { parseJson, stringifyJson, type JsonValue } from "@evodb/core";
import { openTable } from "@evodb/lakehouse";
import { readLiveRows } from "@evodb/writer";
import { tenantRoot } from "../src/lakehouse-flush";
import type { LakehouseWriter, TenantStore } from "../src/index";

export const writer = () => env.EVODB_WRITER.get(env.EVODB_WRITER.idFromName("evodb-writer"));
export const tenantStore = (tenant: string) => env.EVODB_EDGE.get(env.EVODB_EDGE.idFromName(tenant));

/** A request through the app's Worker. */
export function app(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(`https://example.com${path}`, init);
}

/** Polls `condition` a bounded number of rounds, letting alarms and sockets make progress. */
export async function eventually(condition: () => Promise<boolean>, rounds = 2000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("condition not reached");
}

/** Waits until the tenant's WAL is fully acknowledged by the writer (running its alarm to skip backoff). */
export async function delivered(tenant: string): Promise<void> {
  await eventually(async () => {
    const status = await tenantStore(tenant).cdcStatus();
    if (status.pending === 0) return true;
    if (status.failures > 0) await runDurableObjectAlarm(tenantStore(tenant));
    return false;
  });
}

/** Runs the writer's flush alarm until its buffer is empty. */
export async function flushed(): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const status = await writer().status();
    if (status.pending === 0) return;
    await runInDurableObject(writer(), async (_instance: LakehouseWriter, state) => {
      if ((await state.storage.getAlarm()) === null) await state.storage.setAlarm(Date.now() + 3_600_000);
    });
    await runDurableObjectAlarm(writer());
  }
  throw new Error("the writer did not empty its buffer");
}

/** JSON text with object members sorted, so two engines' key orders compare equal. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return stringifyJson(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const names = Object.keys(value).sort();
  return `{${names.map((name) => `${JSON.stringify(name)}:${canonicalJson((value as Record<string, JsonValue>)[name]!)}`).join(",")}}`;
}

/** The tenant's documents from its own SQLite: canonical JSON per key. */
export async function sqliteDocuments(tenant: string, table: string): Promise<Map<string, string>> {
  const rows = await runInDurableObject(tenantStore(tenant), (_instance: TenantStore, state) =>
    state.storage.sql.exec<{ doc_key: string; doc: string }>("SELECT doc_key, doc FROM evodb_docs WHERE table_name = ?", table).toArray(),
  );
  return new Map(rows.map((row) => [row.doc_key, canonicalJson(parseJson(row.doc))]));
}

/** The live rows of the tenant's lakehouse table on R2: canonical JSON per key (`s:<key>` stripped). */
export async function lakehouseDocuments(tenant: string, table: string): Promise<Map<string, string>> {
  const rows = await readLiveRows(await openTable(env.BUCKET, { root: tenantRoot(tenant), name: table }));
  const out = new Map<string, string>();
  for (const row of rows) {
    if (out.has(row.key)) throw new Error(`key ${row.key} is live twice in the lakehouse`);
    out.set(row.key.replace(/^s:/, ""), canonicalJson(row.document));
  }
  return out;
}

/** SHA-256 over the sorted "key\tjson" lines: a content checksum two sides can compare. */
export async function checksum(documents: Map<string, string>): Promise<string> {
  const lines = [...documents].map(([key, json]) => `${key}\t${json}`).sort().join("\n");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(lines));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
