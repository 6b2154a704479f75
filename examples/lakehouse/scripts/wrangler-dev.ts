/**
 * Runs this app under `wrangler dev` with no network, and talks to it: shared by the demo script,
 * the benchmark's CDC section and the end-to-end tests (imported as `@evodb/example-lakehouse/dev`).
 * Offline settings and the process tree are described in TOOLCHAIN.md section 4.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { createServer } from "node:net";
import { EvoDBError } from "@evodb/core";

/** Options of {@link startWrangler}. */
export interface WranglerOptions {
  readonly port: number;
  /** Each running `wrangler dev` needs its own inspector port (the default 9229 clashes). */
  readonly inspectorPort: number;
  /** Directory of the local R2 and Durable Object state (`--persist-to`); kept between runs. */
  readonly persistDir: string;
  /** Worker variables and secrets (`--var NAME:value`), overriding `.dev.vars`. */
  readonly vars: Readonly<Record<string, string>>;
  /** File that receives wrangler's output; by default it is discarded. */
  readonly logFile?: string;
}

/** A running `wrangler dev`: its base URL and a stop that ends its whole process tree. */
export interface WranglerDev {
  readonly url: string;
  readonly process: ChildProcess;
  /** Ends wrangler and everything it started (node, esbuild, workerd) and waits until it exited. */
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev` on 127.0.0.1 for this app, without network access (no telemetry, update
 * check or request.cf download), in its own process group so that stopping it ends the whole tree.
 */
export function startWrangler(options: WranglerOptions): WranglerDev {
  const vars = Object.entries(options.vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const output = options.logFile === undefined ? "ignore" : openSync(options.logFile, "a");
  // The wrangler binary itself (not `npx`), started as a process group leader (detached): a signal
  // to the group reaches wrangler's node, esbuild and both workerd processes.
  const child = spawn(
    new URL("../../../node_modules/.bin/wrangler", import.meta.url).pathname,
    ["dev", "--ip", "127.0.0.1", "--port", String(options.port), "--inspector-port", String(options.inspectorPort), "--persist-to", options.persistDir, ...vars],
    {
      cwd: new URL("..", import.meta.url).pathname,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_ERROR_REPORTS: "false" },
      stdio: ["ignore", output, output],
      detached: true,
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.pid === undefined) return;
    signalGroup(child.pid, "SIGTERM");
    // Wrangler ends its children on SIGTERM; whatever is still there after 5 s is killed.
    const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 5000).unref())]);
    if (timedOut) signalGroup(child.pid, "SIGKILL");
    // The leader may exit before its children: give them a moment, then make sure.
    await new Promise((resolve) => setTimeout(resolve, 300));
    signalGroup(child.pid, "SIGKILL");
  };
  return { url: `http://127.0.0.1:${options.port}`, process: child, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** A TCP port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Refuses a port something already listens on: otherwise {@link waitReady} could take another
 * server's answer (say, a `wrangler dev` left running) for this app's.
 */
export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", () => reject(new EvoDBError("INVALID_ARGUMENT", `Port ${port} on 127.0.0.1 is in use; stop what listens there or choose another port (--port).`)));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/** Waits until the Worker answers HTTP (the first request waits for the build). */
export async function waitReady(base: string, child?: ChildProcess): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (child !== undefined && child.exitCode !== null) throw new EvoDBError("INTERNAL", `wrangler dev exited with code ${child.exitCode}; its log says why.`);
    try {
      await fetch(`${base}/`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new EvoDBError("TIMEOUT", "wrangler dev did not answer within 120 s; see its log, and check that the port is free.");
}

/**
 * fetch that retries 503: `wrangler dev` restarts the Worker when a watched source file changes
 * (other work in the repository), and a request caught by the restart may not have happened.
 * Retrying is safe for these routes: documents are keyed by id, queries only read.
 */
export async function request(url: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, init);
    if (response.status !== 503 || attempt >= 5) return response;
    await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
  }
}

/**
 * Posts documents (each with an "id") to a tenant's table; returns the highest LSN they got. `headers`
 * carry a token when the app puts the document routes behind tokens (EVODB_DOCS_AUTH=tokens).
 */
export async function postDocs(base: string, tenant: string, table: string, docs: unknown, headers: Readonly<Record<string, string>> = {}): Promise<number> {
  const response = await request(`${base}/tenants/${tenant}/tables/${table}/docs`, { method: "POST", body: JSON.stringify(docs), headers });
  if (response.status !== 201) throw new EvoDBError("INTERNAL", `POST ${tenant}/${table} answered HTTP ${response.status}: ${await response.text()}`);
  const results = (await response.json()) as { lsn: number } | { lsn: number }[];
  return Math.max(...(Array.isArray(results) ? results : [results]).map((r) => r.lsn));
}

/** The last LSN of the tenant's table in its latest committed lakehouse snapshot (0 if none). */
export async function committedLsn(base: string, tenant: string, table: string): Promise<number> {
  const response = await request(`${base}/tenants/${tenant}/tables/${table}/snapshot`);
  if (response.status === 404) return 0;
  if (!response.ok) throw new EvoDBError("INTERNAL", `The snapshot route of ${tenant}/${table} answered HTTP ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { lastLsn: number | null }).lastLsn ?? 0;
}

/** Polls the snapshot route until the table's committed snapshot includes `lsn` (at most 120 s). */
export async function waitCommitted(base: string, tenant: string, table: string, lsn: number, pollMs = 10): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await committedLsn(base, tenant, table)) >= lsn) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new EvoDBError("TIMEOUT", `Tenant ${tenant} did not commit LSN ${lsn} of ${table} within 120 s; see the writer in wrangler's log.`);
}
