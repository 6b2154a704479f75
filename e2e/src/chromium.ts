/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core.
 * Playwright's own browser download cannot work here (no internet, and the machine notes list
 * `npx playwright install` as failing), so the tests use the distribution's build and install it
 * through apt when it is missing: a fresh machine has no Chromium.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { EvoDBError } from "@evodb/core";
import { chromium, type Browser } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Bound of the whole apt install (index update plus about 100 MB of packages). */
const INSTALL_TIMEOUT_MS = 15 * 60_000;

/**
 * Flags that make Chromium start cleanly on a machine with a closed network (machine notes,
 * node.md "Known to work"): without the background-networking ones it opens many connections at
 * start that the network refuses, and looks up Google's hosts every time. `--no-sandbox` because the
 * tests run as root, where Chromium's sandbox refuses to start. No `--user-data-dir` here:
 * `chromium.launch` refuses that flag and gives every launch a new empty profile directory of its
 * own, which it deletes on close.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Runs a command, resolving with its output; rejects with the output on failure or timeout. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 << 20, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else reject(Object.assign(error, { output: `${stdout}\n${stderr}`.trim().slice(-2000) }));
      },
    );
  });
}

/**
 * Makes sure Debian's Chromium is installed and returns its path. When it is missing, installs it
 * with `apt-get update && apt-get install -y --no-install-recommends chromium` (needs root; bounded
 * by a timeout; waits for a dpkg lock another install holds instead of failing on it).
 * Throws `EvoDBError` `UNSUPPORTED_FEATURE` when not root, `TIMEOUT` or `INTERNAL` when apt fails.
 */
export async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    throw new EvoDBError(
      "UNSUPPORTED_FEATURE",
      `Chromium is not installed at ${CHROMIUM_PATH} and installing it needs root; run \`sudo apt-get install -y --no-install-recommends chromium\` once, then rerun the tests.`,
    );
  }
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  const lockWait = ["-o", "DPkg::Lock::Timeout=300"];
  try {
    await run("apt-get", [...lockWait, "update"], deadline - Date.now());
    await run("apt-get", [...lockWait, "install", "-y", "--no-install-recommends", "chromium"], Math.max(1, deadline - Date.now()));
  } catch (error) {
    const failure = error as Error & { killed?: boolean; output?: string };
    if (failure.killed === true) {
      throw new EvoDBError("TIMEOUT", `Installing Chromium with apt-get took over ${INSTALL_TIMEOUT_MS / 60_000} minutes; check the package mirror, or install it by hand: apt-get install -y --no-install-recommends chromium.`);
    }
    throw new EvoDBError("INTERNAL", `apt-get could not install Chromium (${failure.message}); install it by hand: apt-get install -y --no-install-recommends chromium. apt said: ${failure.output ?? ""}`);
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new EvoDBError("INTERNAL", `apt-get installed the chromium package but ${CHROMIUM_PATH} does not exist; check \`dpkg -L chromium\`.`);
  }
  return CHROMIUM_PATH;
}

/** Installs Chromium if needed and launches it headless with {@link CHROMIUM_ARGS}; close it when done. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await ensureChromium();
  return await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: 60_000 });
}
