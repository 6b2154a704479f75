import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalSchemaJson, checkSchema, parseJson, setLocked } from "@evodb/core";
import { generateEvents } from "@evodb/test-utils";
import { evodb, ndjson, tempDir } from "./helpers";

/** Writes `files` to a fresh folder and type-checks them with the real TypeScript compiler. */
function typeCheck(files: Record<string, string>): string[] {
  const { dir, cleanup } = tempDir();
  try {
    const paths = Object.entries(files).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    });
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
      skipLibCheck: true,
      skipDefaultLibCheck: true,
    };
    const program = ts.createProgram(paths, options);
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  } finally {
    cleanup();
  }
}

describe("evodb pull / lock / diff / push", () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const docs = generateEvents({ count: 800, seed: 5 });

  it("pull generates interfaces that type-check and accept the ingested documents", { timeout: 180_000 }, async () => {
    writeFileSync(join(dir, "events.ndjson"), ndjson(docs));
    expect((await evodb(dir, ["ingest", "--table", "page_events", "events.ndjson"])).code).toBe(0);
    const pulled = await evodb(dir, ["pull", "--out", "schema.ts"]);
    expect(pulled.code).toBe(0);
    const source = readFileSync(join(dir, "schema.ts"), "utf8");
    expect(source).toContain("export interface PageEvents");
    expect(source).toMatch(/schema id \d+, version \d+/);
    // The documents themselves must satisfy the generated type; a wrong optional/null/union fails here.
    const usage = `import type { PageEvents } from "./schema";\nexport const docs: PageEvents[] = ${JSON.stringify(docs.slice(0, 150))};\n`;
    expect(typeCheck({ "schema.ts": source, "usage.ts": usage })).toEqual([]);
    // And the type is not vacuous: a document missing a required member is rejected.
    const wrong = `import type { PageEvents } from "./schema";\nexport const bad: PageEvents = { type: 1 } as never as { type: number } as PageEvents;\nexport const bad2: PageEvents = { event_id: "x" };\n`;
    expect(typeCheck({ "schema.ts": source, "usage.ts": wrong }).length).toBeGreaterThan(0);
  });

  it("lock writes one entry per table whose hash follows the canonical schema", async () => {
    const locked = await evodb(dir, ["lock"]);
    expect(locked.code).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, "evodb.lock.json"), "utf8"));
    expect(lock.lockVersion).toBe(1);
    expect(Object.keys(lock.tables)).toEqual(["page_events"]);
    expect(lock.tables.page_events.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Locking again without a change gives the same hash.
    await evodb(dir, ["lock"]);
    expect(JSON.parse(readFileSync(join(dir, "evodb.lock.json"), "utf8"))).toEqual(lock);
  });

  it("push refuses a breaking schema with a readable diff unless --force; diff exits 2 on it", async () => {
    // The current schema, locked, with one required field narrowed to a different type: breaking.
    const pulled = await evodb(dir, ["query", "--format", "json", "SELECT count(*) AS n FROM page_events"]);
    expect(JSON.parse(pulled.stdout)).toEqual([{ n: 800 }]);
    const { LOCK_FILE } = await import("../src/index");
    expect(LOCK_FILE).toBe("evodb.lock.json");
    const table = await import("@evodb/lakehouse").then(async (m) => m.openTable(new (await import("@evodb/core/node")).FsObjectStore(join(dir, ".evodb")), { name: "page_events" }));
    const current = checkSchema((await table.schema()).schema);
    const lockedSchema = setLocked(current, true);
    writeFileSync(join(dir, "locked.json"), canonicalSchemaJson(lockedSchema));
    const additive = await evodb(dir, ["push", "locked.json", "--table", "page_events"]);
    expect(additive.code).toBe(0);
    expect(additive.stdout).toMatch(/is current \(locked\)/);

    const narrowed = parseJson(canonicalSchemaJson(lockedSchema)) as { fields: { path: string[]; type: string }[] };
    const seq = narrowed.fields.find((f) => f.path.join(".") === "seq")!;
    seq.type = "string";
    writeFileSync(join(dir, "breaking.json"), JSON.stringify(narrowed));
    const refused = await evodb(dir, ["push", "breaking.json", "--table", "page_events"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error SCHEMA_BREAKING_CHANGE: /);
    expect(refused.stderr).toMatch(/! \S+\s+seq \[field \d+\]/);
    expect(refused.stderr).toContain("--force");

    const forced = await evodb(dir, ["push", "breaking.json", "--table", "page_events", "--force"]);
    expect(forced.code).toBe(0);
    // The lock still pins the earlier version: diff compares it with the current one and fails CI.
    const gate = await evodb(dir, ["diff", "--table", "page_events"]);
    expect(gate.code).toBe(2);
    expect(gate.stdout).toMatch(/breaking change\n$/);
    const same = await evodb(dir, ["diff", "--table", "page_events", "--from", "2", "--to", "2"]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("no changes");
  });

  it("a locked table refuses documents that break the schema, naming the path", async () => {
    const bad = await evodb(dir, ["ingest", "--table", "page_events", "-"], JSON.stringify({ ...docs[0], seq: 12 }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/SCHEMA_MISMATCH/);
    expect(bad.stderr).toMatch(/seq/);
  });
});
