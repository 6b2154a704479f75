import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalSchemaJson, setLocked, type Schema } from "@evodb/core";
import { generateEvents } from "@evodb/test-utils";
import { EXIT_BREAKING } from "../src/index";
import { evodb, ndjson, tempDir } from "./helpers";

/** The package's bin entry, as `npx evodb` runs it. */
const BIN = new URL("../bin/evodb.js", import.meta.url).pathname;

/** Runs the CLI as a subprocess (stdout and stderr are pipes, so not terminals). */
function evodbProcess(cwd: string, argv: string[], env: Record<string, string | undefined> = {}, stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env: { ...process.env, EVODB_PROGRESS: undefined, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const SCHEMA: Schema = {
  formatVersion: 1,
  version: 1,
  locked: false,
  nextFieldId: 4,
  fields: [
    { id: 1, path: [], type: "object", nullable: false, required: true },
    { id: 2, path: ["id"], type: "string", nullable: false, required: true },
    { id: 3, path: ["n"], type: "int", nullable: false, required: true },
  ],
};

describe("the evodb bin as a subprocess on a temporary store", () => {
  const { dir, cleanup } = tempDir();
  const docs = generateEvents({ count: 2500, seed: 8 });
  beforeAll(() => writeFileSync(join(dir, "events.ndjson"), ndjson(docs)));
  afterAll(cleanup);

  it("ingest prints only its result when stderr is not a terminal; query --format json prints one JSON array", async () => {
    const ingest = await evodbProcess(dir, ["ingest", "--table", "events", "--key", "event_id", "events.ndjson"]);
    expect(ingest).toMatchObject({ code: 0, stderr: "" });
    expect(ingest.stdout).toMatch(/^events: 2500 rows committed snapshot \d+\n$/);
    const query = await evodbProcess(dir, ["query", "--format", "json", "SELECT event_id, seq FROM events ORDER BY event_id"]);
    expect(query.code).toBe(0);
    const expected = docs.map((d) => ({ event_id: d.event_id, seq: d.seq })).sort((a, b) => (a.event_id < b.event_id ? -1 : 1));
    expect(JSON.parse(query.stdout)).toEqual(expected);
  });

  it("shows the progress line (rows, MB/s) when EVODB_PROGRESS=1 stands in for a terminal", async () => {
    const ingest = await evodbProcess(dir, ["ingest", "--table", "progress", "-"], { EVODB_PROGRESS: "1" }, ndjson(docs));
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/^progress: 2500 rows committed snapshot \d+\n$/);
    const updates = ingest.stderr.split("\r").filter((s) => s !== "");
    expect(updates.at(-1)).toMatch(/^2,500 rows, \d+\.\d MB, \d+\.\d MB\/s\n$/);
    expect(updates.length).toBeGreaterThanOrEqual(2);
  });

  it("push takes a TypeScript module (default or `schema` export) and refuses one without a schema", async () => {
    await evodb(dir, ["ingest", "--table", "typed", "-"], '[{"id":"a","n":1},{"id":"b","n":2}]');
    writeFileSync(join(dir, "typed.ts"), `import type { Schema } from "@evodb/core";\nconst schema: Schema = ${canonicalSchemaJson(setLocked(SCHEMA, true))};\nexport default schema;\n`);
    const locked = await evodbProcess(dir, ["push", "typed.ts", "--table", "typed"]);
    expect(locked.stderr).toBe("");
    expect(locked).toMatchObject({ code: 0 });
    expect(locked.stdout).toMatch(/^typed: schema \d+ is current \(locked\)\n$/);

    const narrowed = { ...SCHEMA, locked: true, fields: SCHEMA.fields.map((f) => (f.id === 3 ? { ...f, type: "string" } : f)) };
    writeFileSync(join(dir, "named.mts"), `export const schema = ${JSON.stringify(narrowed)} as const;\n`);
    const refused = await evodbProcess(dir, ["push", "named.mts", "--table", "typed"]);
    expect(refused.code).toBe(EXIT_BREAKING);
    expect(refused.stderr).toMatch(/! \S+ +n \[field 3\] int -> string/);

    writeFileSync(join(dir, "empty.ts"), "export const nothing: number = 1;\n");
    const empty = await evodbProcess(dir, ["push", "empty.ts", "--table", "typed"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^error INVALID_ARGUMENT: .*exports no schema/);
  });

  it("--help lists the exit codes, and every command's help has an example", async () => {
    const help = await evodbProcess(dir, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*breaking.*\n {2}3 .*reachable.*\n {2}4 .*token/);
    const commands = ["ingest", "query", "tables", "snapshots", "vacuum", "pull", "lock", "diff", "push", "lance", "lance info", "lance scan", "lance search"];
    for (const command of commands) {
      const out = await evodb(dir, [...command.split(" "), "--help"]);
      expect(out.code, command).toBe(0);
      expect(out.stdout, command).toMatch(new RegExp(`\\nExamples?:\\n {2}\\$ evodb ${command}[ \\n]`));
    }
  });
});

describe("--url and --tenant", () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);

  it("needs a tenant, refuses two different ones, and refuses --store with --url", async () => {
    const none = await evodb(dir, ["--url", "http://127.0.0.1:9", "tables"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error INVALID_ARGUMENT: --url needs a tenant/);
    const two = await evodb(dir, ["--url", "http://127.0.0.1:9/tenants/a", "--tenant", "b", "tables"]);
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(/names tenant a but --tenant/);
    const both = await evodb(dir, ["--store", "x", "--url", "http://127.0.0.1:9/tenants/a", "tables"]);
    expect(both.stderr).toMatch(/^error INVALID_ARGUMENT: pass --store or --url, not both/);
    const notUrl = await evodb(dir, ["--url", "evodb.example.com", "--tenant", "a", "tables"]);
    expect(notUrl.stderr).toMatch(/is not a URL/);
  });
});
