/**
 * Starts the reference app (`examples/lakehouse`) under `wrangler dev` for a test: free ports,
 * a persisted state directory (kept across {@link RunningApp.restart}), known secrets, and a short
 * flush delay so committed snapshots appear quickly.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EvoDBError } from "@evodb/core";
import { mintTenantToken } from "@evodb/example-lakehouse/auth";
import { freePort, request, startWrangler, waitReady, type WranglerDev } from "@evodb/example-lakehouse/dev";

export { freePort };

/** Options of {@link startApp}. */
export interface AppOptions {
  /** Reuse a state directory (R2 objects and Durable Object SQLite); a new temporary one by default. */
  readonly persistDir?: string;
  /** Extra or overriding Worker variables (`--var`). */
  readonly vars?: Readonly<Record<string, string>>;
}

/**
 * The secrets every app started here is given. EVODB_QUERY_TOKEN is the operator token (every
 * tenant); tenant tokens derive from EVODB_TOKEN_SECRET ({@link tenantToken}).
 */
export const APP_SECRETS = {
  EVODB_CDC_SECRET: "e2e-cdc-secret-0123456789abcdef",
  EVODB_QUERY_TOKEN: "e2e-query-token",
  EVODB_TOKEN_SECRET: "e2e-token-secret-0123456789abcdef",
} as const;

/**
 * The token of one tenant for an app started with {@link APP_SECRETS}: it opens that tenant's query
 * and vector routes and no other tenant's (examples/lakehouse README, "Tokens").
 */
export function tenantToken(tenant: string, secret: string = APP_SECRETS.EVODB_TOKEN_SECRET): Promise<string> {
  return mintTenantToken(secret, tenant);
}

/** `Authorization` header for a token (a tenant's, or the operator's by default). */
export function bearer(token: string = APP_SECRETS.EVODB_QUERY_TOKEN): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** The JSON answer of the query API to a SQL text (`POST /tenants/:tenant/query`); throws on an error status. */
export async function sql<Row = Record<string, unknown>>(url: string, tenant: string, text: string, token?: string): Promise<{ columns: string[]; rows: Row[]; stats: Record<string, unknown> }> {
  const response = await request(`${url}/tenants/${tenant}/query`, { method: "POST", body: text, headers: { ...bearer(token), "content-type": "text/plain" } });
  const body = await response.text();
  if (!response.ok) throw new EvoDBError("INTERNAL", `The query of ${tenant} answered HTTP ${response.status}: ${body}\n${text}`);
  return JSON.parse(body) as { columns: string[]; rows: Row[]; stats: Record<string, unknown> };
}

/**
 * Every document of a tenant's table as its Durable Object holds them (`GET .../docs`, page by page),
 * by key. `token` for an app that puts the document routes behind tokens (EVODB_DOCS_AUTH=tokens).
 */
export async function readDocs(url: string, tenant: string, table: string, token?: string): Promise<Map<string, Record<string, unknown>>> {
  const docs = new Map<string, Record<string, unknown>>();
  let after = "";
  for (;;) {
    const response = await request(`${url}/tenants/${tenant}/tables/${table}/docs?limit=1000${after === "" ? "" : `&after=${encodeURIComponent(after)}`}`, token === undefined ? {} : { headers: bearer(token) });
    if (!response.ok) throw new EvoDBError("INTERNAL", `GET docs of ${tenant}/${table} answered HTTP ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { key: string; doc: Record<string, unknown> }[];
    for (const { key, doc } of page) docs.set(key, doc);
    if (page.length < 1000) return docs;
    after = page[page.length - 1]!.key;
  }
}

/** A running app: its base URL and state directory. */
export interface RunningApp {
  readonly url: string;
  readonly persistDir: string;
  readonly logFile: string;
  /** Stops wrangler (whole process tree) and starts it again on the same state; resolves when it answers. */
  restart(): Promise<void>;
  /** Stops wrangler; removes the state directory unless the caller passed its own. */
  stop(): Promise<void>;
}

/** Starts the app and waits until it answers HTTP. */
export async function startApp(options: AppOptions = {}): Promise<RunningApp> {
  const ownDir = options.persistDir === undefined;
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "evodb-e2e-"));
  const logFile = join(persistDir, "wrangler.log");
  const vars = { ...APP_SECRETS, EVODB_FLUSH_DELAY_MS: "200", ...options.vars };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const launch = async (): Promise<WranglerDev> => {
    const dev = startWrangler({ port, inspectorPort: await freePort(), persistDir, vars, logFile });
    try {
      await waitReady(url, dev.process);
    } catch (error) {
      await dev.stop();
      throw error;
    }
    return dev;
  };
  let dev = await launch();
  return {
    url,
    persistDir,
    logFile,
    async restart() {
      await dev.stop();
      dev = await launch();
    },
    async stop() {
      await dev.stop();
      if (ownDir) rmSync(persistDir, { recursive: true, force: true });
    },
  };
}
