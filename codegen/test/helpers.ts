import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, type CliIO } from "../src/index";

/** Runs `evodb` in-process in `cwd`, capturing stdout and stderr. */
export async function evodb(cwd: string, argv: string[], stdin = "", env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => stdin,
    progress: false,
    cwd,
    env,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** A fresh working directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "evodb-cli-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Documents as NDJSON text, one JSON document a line (what `evodb ingest` reads). */
export function ndjson(documents: readonly unknown[]): string {
  return documents.map((d) => JSON.stringify(d)).join("\n");
}
