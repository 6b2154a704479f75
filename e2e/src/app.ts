/**
 * Starts the reference app (`examples/lakehouse`) under `wrangler dev` for a test: free ports,
 * a persisted state directory (kept across {@link RunningApp.restart}), known secrets, and a short
 * flush delay so committed snapshots appear quickly.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWrangler, waitReady, type WranglerDev } from "@evodb/example-lakehouse/dev";

/** Options of {@link startApp}. */
export interface AppOptions {
  /** Reuse a state directory (R2 objects and Durable Object SQLite); a new temporary one by default. */
  readonly persistDir?: string;
  /** Extra or overriding Worker variables (`--var`). */
  readonly vars?: Readonly<Record<string, string>>;
}

/** The secrets every app started here is given. */
export const APP_SECRETS = {
  EVODB_CDC_SECRET: "e2e-cdc-secret-0123456789abcdef",
  EVODB_QUERY_TOKEN: "e2e-query-token",
} as const;

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
