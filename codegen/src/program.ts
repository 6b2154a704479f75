import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { isEvoDBError } from "@evodb/core";
import { diff, lock, pull, push } from "./commands/schema";
import { ingest, query, snapshots, tables, vacuum } from "./commands/data";
import { lanceInfo, lanceScan, lanceSearch } from "./commands/lance";
import { ROW_FORMATS, type RowFormat } from "./format";
import type { CliIO } from "./io";
import { openLocalStore } from "./local-store";

/** Exit codes: 0 ok, 1 error, 2 breaking schema change found by `diff` (so CI can gate on it). */
export const EXIT_ERROR = 1;
export const EXIT_BREAKING = 2;

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((s) => s.trim()).filter((s) => s.length > 0)];
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function duration(value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new InvalidArgumentError("expected a duration such as 30s, 15m, 12h or 7d");
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

const formatOption = (): Option => new Option("--format <format>", "output format").choices(ROW_FORMATS).default("table");

/** Builds the `evodb` program; `setExit` receives the exit code of the command that ran. */
export function createProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command("evodb")
    .description("EvoDB from a terminal: ingest and query a lakehouse, manage schemas, read Lance datasets")
    .option("--store <dir>", "local lakehouse folder (the embedded default; no Cloudflare account needed)", ".evodb")
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride()
    .showHelpAfterError();
  const store = () => openLocalStore(io.cwd, program.opts<{ store: string }>().store);

  program
    .command("ingest")
    .description("write NDJSON or JSON-array files (or - for stdin) through the writer and commit a snapshot")
    .requiredOption("--table <name>", "table to write (created if missing)")
    .option("--key <path>", "primary key path (e.g. id or user.id); rows with the same key are replaced")
    .argument("<files...>", "input files, - for stdin")
    .action((files: string[], o: { table: string; key?: string }) => ingest(io, store(), { table: o.table, files, ...(o.key ? { key: o.key } : {}) }));

  program
    .command("query")
    .description("run a SQL query (see docs/sql.md)")
    .argument("<sql>")
    .addOption(formatOption())
    .option("--explain", "print the plan: blocks pruned, bytes to read")
    .action((sql: string, o: { format: RowFormat; explain?: boolean }) => query(io, store(), sql, o));

  program.command("tables").description("list tables").addOption(formatOption()).action((o: { format: RowFormat }) => tables(io, store(), o.format));

  program
    .command("snapshots")
    .description("list a table's snapshots (time travel targets)")
    .argument("<table>")
    .addOption(formatOption())
    .action((table: string, o: { format: RowFormat }) => snapshots(io, store(), table, o.format));

  program
    .command("vacuum")
    .description("expire old snapshots and delete files no retained snapshot references")
    .argument("<table>")
    .option("--retain <duration>", "keep snapshots younger than this", duration, duration("7d"))
    .option("--retain-last <n>", "always keep the newest n snapshots", integer, 1)
    .action((table: string, o: { retain: number; retainLast: number }) => vacuum(io, store(), table, { retainMs: o.retain, retainLast: Math.max(1, o.retainLast) }));

  program
    .command("pull")
    .description("generate TypeScript interfaces from table schemas")
    .option("--table <name...>", "tables (default: all)", list)
    .option("--out <file>", "write to a file instead of stdout")
    .action((o: { table?: string[]; out?: string }) => pull(io, store(), { tables: o.table ?? [], ...(o.out ? { out: o.out } : {}) }));

  program
    .command("lock")
    .description("write evodb.lock.json: schema id, version and content hash per table")
    .option("--table <name...>", "tables (default: all)", list)
    .action((o: { table?: string[] }) => lock(io, store(), { tables: o.table ?? [] }).then(() => undefined));

  program
    .command("diff")
    .description("classify the changes between two schema versions; exits 2 on a breaking change")
    .requiredOption("--table <name>")
    .option("--from <schemaId>", "older schema id (default: the one in evodb.lock.json, else the previous one)", integer)
    .option("--to <schemaId>", "newer schema id (default: current)", integer)
    .action(async (o: { table: string; from?: number; to?: number }) => {
      const result = await diff(io, store(), o);
      if (result.classification === "breaking") setExit(EXIT_BREAKING);
    });

  program
    .command("push")
    .description("make a schema file (docs/schema.md JSON) the table's current schema; breaking changes need --force")
    .argument("<schemaFile>")
    .requiredOption("--table <name>")
    .option("--force", "create a new schema version even when the change is breaking")
    .action((file: string, o: { table: string; force?: boolean }) => push(io, store(), { table: o.table, file, ...(o.force ? { force: true } : {}) }));

  const lance = program.command("lance").description("read Lance datasets written by lancedb");
  lance.command("info").argument("<dataset>").addOption(formatOption()).action((dir: string, o: { format: RowFormat }) => lanceInfo(io, dir, o.format));
  lance
    .command("scan")
    .argument("<dataset>")
    .option("--version <n>", "dataset version (time travel)", integer)
    .option("--select <cols>", "comma-separated columns", list)
    .option("--limit <n>", "at most n rows", integer)
    .addOption(formatOption())
    .action((dir: string, o: { version?: number; select?: string[]; limit?: number; format: RowFormat }) => lanceScan(io, dir, o));
  lance
    .command("search")
    .argument("<dataset>")
    .requiredOption("--column <name>", "vector column")
    .requiredOption("--vector <json>", "query vector as a JSON array, or @FILE")
    .option("--k <n>", "number of results", integer, 10)
    .option("--nprobes <n>", "IVF partitions to probe", integer)
    .option("--refine <n>", "refine factor (exact re-ranking of k * n candidates)", integer)
    .option("--select <cols>", "comma-separated columns", list)
    .addOption(formatOption())
    .action((dir: string, o: { column: string; vector: string; k: number; nprobes?: number; refine?: number; select?: string[]; format: RowFormat }) => lanceSearch(io, dir, o));

  return program;
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  let code = 0;
  const program = createProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_ERROR;
    if (isEvoDBError(error)) {
      io.stderr(`error ${error.code}: ${error.message}\n`);
      return EXIT_ERROR;
    }
    throw error;
  }
}
