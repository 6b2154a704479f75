import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_BREAKING, EXIT_UNAUTHORIZED, EXIT_UNREACHABLE, interfaceName } from "@evodb/codegen";
import { canonicalSchemaJson, checkSchema, setLocked, type Schema } from "@evodb/core";
import { generateEvents } from "@evodb/test-utils";
import { APP_SECRETS, freePort, startApp, tenantToken, type RunningApp } from "../src/app";

/** The `evodb` binary exactly as npm links it for a dependent package. */
const EVODB_BIN = new URL("../node_modules/.bin/evodb", import.meta.url).pathname;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a subprocess in `cwd` with `env` added to this process's environment. */
function evodb(cwd: string, argv: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(EVODB_BIN, argv, { cwd, env: { ...process.env, EVODB_PROGRESS: undefined, EVODB_TENANT: undefined, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Type-checks `files` (name -> source) with the TypeScript compiler; returns the diagnostics. */
function typeCheck(dir: string, files: Record<string, string>): string[] {
  const paths = Object.entries(files).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
  const program = ts.createProgram(paths, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

/** A row without the system columns (`_evodb_key`, `_evodb_lsn`) that `SELECT *` adds. */
function withoutSystemColumns(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([name]) => !name.startsWith("_evodb_")));
}

describe("evodb CLI (subprocess) against the reference app under wrangler dev", () => {
  let app: RunningApp;
  const work = mkdtempSync(join(tmpdir(), "evodb-cli-e2e-"));
  const tenant = "cli-e2e";
  // The tenant's own token, as a tenant's CI would hold it (the operator token is checked below).
  const token: { EVODB_TOKEN: string } = { EVODB_TOKEN: "" };
  // The app keys documents by "id".
  const docs = generateEvents({ count: 1500, seed: 21 }).map((event) => ({ id: event.event_id, ...event }));
  const remote = (): string[] => ["--url", app.url, "--tenant", tenant];

  beforeAll(async () => {
    writeFileSync(join(work, "events.ndjson"), docs.map((d) => JSON.stringify(d)).join("\n"));
    token.EVODB_TOKEN = await tenantToken(tenant);
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("ingest commits, tables lists it, query --format json returns exactly the documents written", async () => {
    const ingest = await evodb(work, [...remote(), "ingest", "--table", "events", "events.ndjson"], token);
    expect(ingest.stderr).toBe("");
    expect(ingest.code).toBe(0);
    const committed = /^events: 1500 rows committed snapshot (\d+)\n$/.exec(ingest.stdout);
    expect(committed).not.toBeNull();

    const tables = await evodb(work, [...remote(), "tables", "--format", "json"], token);
    expect(tables.code).toBe(0);
    const listed = JSON.parse(tables.stdout) as { table: string; snapshot: number; rows: number }[];
    expect(listed.map((t) => t.table)).toEqual(["events"]);
    expect(listed[0]!.rows).toBe(1500);
    expect(listed[0]!.snapshot).toBeGreaterThanOrEqual(Number(committed![1]));

    // The tenant named inside the URL works the same as --tenant.
    const query = await evodb(work, ["--url", `${app.url}/tenants/${tenant}`, "query", "--format", "json", "SELECT * FROM events ORDER BY id"], token);
    expect(query.code).toBe(0);
    const rows = (JSON.parse(query.stdout) as Record<string, unknown>[]).map(withoutSystemColumns);
    const expected = [...docs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    expect(rows).toEqual(expected);
    expect(query.stderr).toBe("");

    const explain = await evodb(work, [...remote(), "query", "--explain", "SELECT id FROM events WHERE seq > 1000000"], token);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/block/i);

    // The progress line, as a terminal would show it (EVODB_PROGRESS=1 stands in for a TTY): one
    // update per batch of 500 documents. The same ids again replace the rows.
    const progress = await evodb(work, [...remote(), "ingest", "--table", "events", "events.ndjson"], { ...token, EVODB_PROGRESS: "1" });
    expect(progress.code).toBe(0);
    expect(progress.stdout).toMatch(/^events: 1500 rows committed snapshot \d+\n$/);
    const updates = progress.stderr.split("\r").filter((s) => s !== "");
    expect(updates.slice(0, 3).map((u) => u.split(" rows")[0])).toEqual(["500", "1,000", "1,500"]);
    expect(updates.at(-1)).toMatch(/^1,500 rows, \d+\.\d MB, \d+\.\d MB\/s\n$/);
    const count = await evodb(work, [...remote(), "query", "--format", "json", "SELECT count(*) AS n FROM events"], token);
    expect(JSON.parse(count.stdout)).toEqual([{ n: 1500 }]);
  });

  it("pull writes TypeScript that type-checks and accepts the documents", async () => {
    const pull = await evodb(work, [...remote(), "pull", "--out", "schema.ts"], token);
    expect(pull.code).toBe(0);
    const source = readFileSync(join(work, "schema.ts"), "utf8");
    const name = interfaceName("events");
    expect(source).toContain(`export interface ${name}`);
    const checkDir = mkdtempSync(join(tmpdir(), "evodb-cli-e2e-tsc-"));
    try {
      const diagnostics = typeCheck(checkDir, {
        "schema.ts": source,
        "use.ts": `import type { ${name} } from "./schema";\nexport const rows: ${name}[] = ${JSON.stringify(docs.slice(0, 200))};\n`,
      });
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(checkDir, { recursive: true, force: true });
    }
  });

  it("push of a TypeScript module locks the schema; a breaking push is refused with the diff, --force accepts it, and diff exits 2", async () => {
    const lock = await evodb(work, [...remote(), "lock"], token);
    expect(lock.code).toBe(0);
    const pinned = JSON.parse(readFileSync(join(work, "evodb.lock.json"), "utf8")) as { tables: { events: { schemaId: number } } };

    const response = await fetch(`${app.url}/tenants/${tenant}/tables/events/schema`, { headers: { authorization: `Bearer ${token.EVODB_TOKEN}` } });
    const current = checkSchema(((await response.json()) as { schema: unknown }).schema);
    expect(pinned.tables.events.schemaId).toBeGreaterThan(0);

    // A TypeScript module (type annotations and all) exporting the locked schema: additive, accepted.
    const locked = setLocked(current, true);
    writeFileSync(join(work, "locked.ts"), `import type { Schema } from "@evodb/core";\nconst schema: Schema = ${canonicalSchemaJson(locked)};\nexport default schema;\n`);
    const lockIt = await evodb(work, [...remote(), "push", "locked.ts", "--table", "events"], token);
    expect(lockIt.stderr).toBe("");
    expect(lockIt.code).toBe(0);
    expect(lockIt.stdout).toMatch(/^events: schema \d+ is current \(locked\)\n$/);
    const again = await evodb(work, [...remote(), "push", "locked.ts", "--table", "events"], token);
    expect(again.stdout).toMatch(/already matches/);

    const narrowed: Schema = { ...locked, fields: locked.fields.map((f) => (f.path.join(".") === "seq" ? { ...f, type: "string" } : f)) };
    writeFileSync(join(work, "breaking.json"), canonicalSchemaJson(narrowed));
    const refused = await evodb(work, [...remote(), "push", "breaking.json", "--table", "events"], token);
    expect(refused.code).toBe(EXIT_BREAKING);
    expect(refused.stderr).toMatch(/^error SCHEMA_BREAKING_CHANGE: events: breaking\.json breaks schema \d+:\n/);
    expect(refused.stderr).toMatch(/! \S+ +seq \[field \d+\] int -> string/);
    expect(refused.stderr).toContain("--force");

    // The local file against the remote current schema, before forcing: the same verdict.
    const preview = await evodb(work, [...remote(), "diff", "--table", "events", "--schema", "breaking.json"], token);
    expect(preview.code).toBe(EXIT_BREAKING);

    const forced = await evodb(work, [...remote(), "push", "breaking.json", "--table", "events", "--force"], token);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/is current \(locked\)/);

    // The app now refuses documents that break the locked schema; ingest reports it and fails.
    // 600 documents of the new shape (seq a string), then one of the old: the second batch is refused.
    const mixed = [...docs.slice(0, 600).map((d) => ({ ...d, seq: String(d.seq) })), docs[600]!];
    writeFileSync(join(work, "mixed.ndjson"), mixed.map((d) => JSON.stringify(d)).join("\n"));
    const refusedDocs = await evodb(work, [...remote(), "ingest", "--table", "events", "mixed.ndjson"], token);
    expect(refusedDocs.code).toBe(1);
    expect(refusedDocs.stderr).toMatch(/^error SCHEMA_MISMATCH: .*seq.*\(the 500 documents before this batch of 101 were accepted and will commit\)\n$/s);

    // The lock (local) still pins the earlier version; against the remote current one it is breaking.
    const gate = await evodb(work, [...remote(), "diff", "--table", "events"], token);
    expect(gate.code).toBe(EXIT_BREAKING);
    expect(gate.stdout).toMatch(new RegExp(`^events: schema ${pinned.tables.events.schemaId} -> \\d+\\n`));
    expect(gate.stdout).toMatch(/breaking change\n$/);
  });

  it("bad token, unknown table, SQL errors, unreachable URL and local-only commands give their exit codes and messages", async () => {
    const wrong = await evodb(work, [...remote(), "tables"], { EVODB_TOKEN: "not-the-token" });
    expect(wrong.code).toBe(EXIT_UNAUTHORIZED);
    expect(wrong.stderr).toMatch(/^error UNAUTHORIZED: .*EVODB_TOKEN/);
    const otherTenant = await evodb(work, [...remote(), "tables"], { EVODB_TOKEN: await tenantToken("someone-else") });
    expect(otherTenant.code).toBe(EXIT_UNAUTHORIZED);
    expect(otherTenant.stderr).toMatch(/^error FORBIDDEN: .*--tenant/);
    const operator = await evodb(work, [...remote(), "tables", "--format", "json"], { EVODB_TOKEN: APP_SECRETS.EVODB_QUERY_TOKEN });
    expect(operator.code).toBe(0);
    expect((JSON.parse(operator.stdout) as { table: string }[]).map((t) => t.table)).toEqual(["events"]);
    const none = await evodb(work, [...remote(), "query", "SELECT 1 FROM events"], { EVODB_TOKEN: undefined });
    expect(none.code).toBe(EXIT_UNAUTHORIZED);
    const pushWithWrongToken = await evodb(work, [...remote(), "push", "breaking.json", "--table", "events", "--force"], { EVODB_TOKEN: "not-the-token" });
    expect(pushWithWrongToken.code).toBe(EXIT_UNAUTHORIZED);
    const pushForAnother = await evodb(work, [...remote(), "push", "breaking.json", "--table", "events", "--force"], { EVODB_TOKEN: await tenantToken("someone-else") });
    expect(pushForAnother.code).toBe(EXIT_UNAUTHORIZED);

    const missing = await evodb(work, [...remote(), "snapshots", "nope"], token);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error NOT_FOUND: /);

    const syntax = await evodb(work, [...remote(), "query", "SELECT id FROM events WHERE"], token);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^error QUERY_PARSE: SQL syntax error at 1:\d+/);
    expect(syntax.stderr).toContain("\n  SELECT id FROM events WHERE\n");
    expect(syntax.stderr).toMatch(/\n {2} +\^\n$/);

    const port = await freePort();
    const unreachable = await evodb(work, ["--url", `http://127.0.0.1:${port}`, "--tenant", tenant, "tables"], token);
    expect(unreachable.code).toBe(EXIT_UNREACHABLE);
    expect(unreachable.stderr).toMatch(/^error STORAGE_ERROR: cannot reach http:\/\/127\.0\.0\.1:\d+ .*--url/);

    const vacuum = await evodb(work, [...remote(), "vacuum", "events"], token);
    expect(vacuum.code).toBe(1);
    expect(vacuum.stderr).toMatch(/^error UNSUPPORTED_FEATURE: vacuum works on this machine only/);
    const lance = await evodb(work, [...remote(), "lance", "info", "x.lance"], token);
    expect(lance.code).toBe(1);
    expect(lance.stderr).toMatch(/^error UNSUPPORTED_FEATURE: lance works on this machine only/);
  });
});
