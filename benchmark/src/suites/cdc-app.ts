/**
 * The reference app (`examples/lakehouse`) under `wrangler dev` for the CDC section: free ports, a
 * temporary state directory, fixed secrets, and a stop that ends the whole process tree and removes
 * the directory. Everything runs on 127.0.0.1 with no network (TOOLCHAIN.md section 4).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startWrangler, waitReady } from "@evodb/example-lakehouse/dev";

/** The app's default delay between CDC reaching the writer and its flush (examples/lakehouse/wrangler.jsonc). */
export const FLUSH_DELAY_MS = 1000;

/** A running app for the benchmark. */
export interface BenchApp {
  readonly url: string;
  /** Ends wrangler's whole process tree and removes the state directory. */
  stop(): Promise<void>;
}

/** Starts the app on free ports with a fresh state directory and waits until it answers. */
export async function startBenchApp(): Promise<BenchApp> {
  const persistDir = mkdtempSync(join(tmpdir(), "evodb-cdc-bench-"));
  const dev = startWrangler({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistDir,
    // Stated explicitly so the figures' notes stay true if the app's default changes.
    vars: { EVODB_CDC_SECRET: "bench-cdc-secret-0123456789abcdef", EVODB_FLUSH_DELAY_MS: String(FLUSH_DELAY_MS) },
  });
  const stop = async (): Promise<void> => {
    await dev.stop();
    rmSync(persistDir, { recursive: true, force: true });
  };
  try {
    await waitReady(dev.url, dev.process);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: dev.url, stop };
}

/**
 * Runs `measurement` and, if it fails, once more with the attempt number 1 (so it can use fresh
 * tenants). `wrangler dev` rebuilds the Worker whenever a watched source file changes (other work in
 * the repository), and a request caught by the reload can come back cut short.
 */
export async function withOneRetry<T>(log: (message: string) => void, label: string, measurement: (attempt: number) => Promise<T>): Promise<T> {
  try {
    return await measurement(0);
  } catch (error) {
    log(`${label} failed (${error instanceof Error ? error.message : String(error)}); repeating it once`);
    return measurement(1);
  }
}
