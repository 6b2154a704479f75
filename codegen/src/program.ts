import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { EvoDBError, isEvoDBError } from "@evodb/core";
import { diff, lock, pull, push } from "./commands/schema";
import { query, snapshots, tables, vacuum } from "./commands/data";
import { ingestLocal, ingestRemote } from "./commands/ingest";
import { lanceInfo, lanceScan, lanceSearch } from "./commands/lance";
import { ROW_FORMATS, type RowFormat } from "./format";
import type { CliIO } from "./io";
import type { Lakehouse } from "./lakehouse";
import { LocalLakehouse } from "./local-lakehouse";
import { openLocalStore } from "./local-store";
import { DEFAULT_TIMEOUT_MS, RemoteClient, remoteTarget } from "./remote/client";
import { RemoteLakehouse } from "./remote/remote-lakehouse";

/** Exit code of any other error (bad input, unknown table, SQL error, refused documents...). */
export const EXIT_ERROR = 1;
/** A breaking schema change: `diff` found one or `push` refused one (so CI can gate on it). */
export const EXIT_BREAKING = 2;
/** `--url` could not be reached (connection failed, or no answer within --timeout). */
export const EXIT_UNREACHABLE = 3;
/** `--url` refused the credentials (EVODB_TOKEN missing, wrong, or not for this tenant). */
export const EXIT_UNAUTHORIZED = 4;

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  error: bad input, unknown table, SQL error (with its position), refused documents
  ${EXIT_BREAKING}  breaking schema change: found by diff, or refused by push without --force
  ${EXIT_UNREACHABLE}  --url not reachable: connection failed or no answer within --timeout
  ${EXIT_UNAUTHORIZED}  --url refused the token (set EVODB_TOKEN)

Local or remote: every command works on a local lakehouse folder (--store DIR, default ./.evodb,
no Cloudflare account needed). With --url (and the token in EVODB_TOKEN) ingest, query, tables,
snapshots, pull, lock, diff and push go to a deployed EvoDB app instead; name the tenant with
--tenant NAME, EVODB_TENANT, or a URL ending in /tenants/NAME. vacuum and lance are local only.
`;

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

/** A duration option whose help shows its default as a duration ("60s"), not in milliseconds. */
function durationOption(flags: string, description: string, defaultMs: number): Option {
  const unit = (["d", "h", "m", "s"] as const).find((u) => defaultMs % UNIT_MS[u]! === 0) ?? "ms";
  return new Option(flags, description).argParser(duration).default(defaultMs, `${defaultMs / UNIT_MS[unit]!}${unit}`);
}

const formatOption = (): Option => new Option("--format <format>", "output format").choices(ROW_FORMATS).default("table");

/** "Example:" lines under a command's help. */
function examples(command: Command, ...lines: string[]): Command {
  return command.addHelpText("after", `\nExample${lines.length > 1 ? "s" : ""}:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`);
}

interface GlobalOptions {
  store: string;
  url?: string;
  tenant?: string;
  timeout: number;
}

/** Builds the `evodb` program; `setExit` receives the exit code of the command that ran. */
export function createProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command("evodb")
    .description("EvoDB from a terminal: ingest and query a lakehouse, manage schemas, read Lance datasets")
    .option("--store <dir>", "local lakehouse folder (the embedded default; no Cloudflare account needed)", ".evodb")
    .option("--url <url>", "a deployed EvoDB app instead of --store (token from EVODB_TOKEN)")
    .option("--tenant <name>", "tenant of --url (default: EVODB_TENANT, or the URL's /tenants/NAME)")
    .addOption(durationOption("--timeout <duration>", "per-request timeout with --url", DEFAULT_TIMEOUT_MS))
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride()
    .showHelpAfterError()
    .addHelpText("after", EXIT_CODES_HELP);
  const globals = () => program.opts<GlobalOptions>();
  const store = () => openLocalStore(io.cwd, globals().store);
  const client = (): RemoteClient | null => {
    const { url, tenant, timeout } = globals();
    if (url === undefined) return null;
    if (program.getOptionValueSource("store") === "cli") throw new EvoDBError("INVALID_ARGUMENT", "pass --store or --url, not both");
    return new RemoteClient(remoteTarget(url, { ...(tenant === undefined ? {} : { tenant }), timeoutMs: timeout, env: io.env }));
  };
  const lakehouse = (): Lakehouse => {
    const remote = client();
    return remote === null ? new LocalLakehouse(store()) : new RemoteLakehouse(remote);
  };
  const localOnly = (what: string): void => {
    if (globals().url !== undefined) throw new EvoDBError("UNSUPPORTED_FEATURE", `${what} works on this machine only (the app has no route for it); run it without --url`);
  };

  examples(
    program
      .command("ingest")
      .description("write NDJSON or JSON-array files (or - for stdin) and print the snapshot that committed them; progress (rows, MB/s) on a terminal")
      .requiredOption("--table <name>", "table to write (created if missing)")
      .option("--key <path>", "primary key path (e.g. id or user.id); rows with the same key are replaced. With --url documents are keyed by their id")
      .addOption(durationOption("--commit-timeout <duration>", "with --url: how long to wait for the writer to commit", duration("120s")))
      .argument("<files...>", "input files, - for stdin")
      .action(async (files: string[], o: { table: string; key?: string; commitTimeout: number }) => {
        const options = { table: o.table, files, ...(o.key ? { key: o.key } : {}) };
        const remote = client();
        if (remote === null) await ingestLocal(io, store(), options);
        else await ingestRemote(io, remote, { ...options, commitTimeoutMs: o.commitTimeout });
      }),
    "evodb ingest --table events --key event_id events.ndjson",
    "cat events.json | EVODB_TOKEN=… evodb --url https://evodb.example.workers.dev --tenant acme ingest --table events -",
  );

  examples(
    program
      .command("query")
      .description("run a SQL query (docs/sql.md); --format json prints one JSON array of row objects and nothing else")
      .argument("<sql>")
      .addOption(formatOption())
      .option("--explain", "print the plan: blocks pruned, bytes to read")
      .action((sql: string, o: { format: RowFormat; explain?: boolean }) => query(io, lakehouse(), sql, o)),
    `evodb query "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC" --format json`,
    `evodb query --explain "SELECT * FROM events WHERE ts > '2026-01-01'"`,
  );

  examples(
    program.command("tables").description("list tables with their current snapshot, rows and files").addOption(formatOption()).action((o: { format: RowFormat }) => tables(io, lakehouse(), o.format)),
    "evodb tables --format json",
  );

  examples(
    program
      .command("snapshots")
      .description("list a table's snapshots (time travel targets)")
      .argument("<table>")
      .addOption(formatOption())
      .action((table: string, o: { format: RowFormat }) => snapshots(io, lakehouse(), table, o.format)),
    "evodb snapshots events",
  );

  examples(
    program
      .command("vacuum")
      .description("expire old snapshots and delete files no retained snapshot references (local store only)")
      .argument("<table>")
      .addOption(durationOption("--retain <duration>", "keep snapshots younger than this", duration("7d")))
      .option("--retain-last <n>", "always keep the newest n snapshots", integer, 1)
      .action((table: string, o: { retain: number; retainLast: number }) => {
        localOnly("vacuum");
        return vacuum(io, store(), table, { retainMs: o.retain, retainLast: Math.max(1, o.retainLast) });
      }),
    "evodb vacuum events --retain 24h --retain-last 3",
  );

  examples(
    program
      .command("pull")
      .description("generate TypeScript interfaces from table schemas")
      .option("--table <name...>", "tables (default: all)", list)
      .option("--out <file>", "write to a file instead of stdout")
      .action((o: { table?: string[]; out?: string }) => pull(io, lakehouse(), { tables: o.table ?? [], ...(o.out ? { out: o.out } : {}) })),
    "evodb pull --out src/evodb-schema.ts",
  );

  examples(
    program
      .command("lock")
      .description("write evodb.lock.json: schema id, version and content hash per table")
      .option("--table <name...>", "tables (default: all)", list)
      .action((o: { table?: string[] }) => lock(io, lakehouse(), { tables: o.table ?? [] }).then(() => undefined)),
    "evodb lock",
    "evodb --url https://evodb.example.workers.dev/tenants/acme lock --table events,orders",
  );

  examples(
    program
      .command("diff")
      .description(`classify the changes between two schema versions, or a schema file and the current one; exits ${EXIT_BREAKING} on a breaking change`)
      .requiredOption("--table <name>")
      .option("--from <schemaId>", "older schema id (default: the one in evodb.lock.json, else the previous one)", integer)
      .option("--to <schemaId>", "newer schema id (default: current)", integer)
      .option("--schema <file>", "compare this schema file (JSON or a TypeScript module) with the current schema instead")
      .action(async (o: { table: string; from?: number; to?: number; schema?: string }) => {
        const result = await diff(io, lakehouse(), o);
        if (result.classification === "breaking") setExit(EXIT_BREAKING);
      }),
    "evodb diff --table events              # lock (local) against current (remote with --url)",
    "evodb diff --table events --from 3 --to 5",
    "evodb diff --table events --schema schema/events.ts",
  );

  examples(
    program
      .command("push")
      .description("make a schema (docs/schema.md JSON, or a TypeScript module exporting it) the table's current schema; breaking changes need --force")
      .argument("<schemaFile>")
      .requiredOption("--table <name>")
      .option("--force", "create a new schema version even when the change is breaking")
      .action((file: string, o: { table: string; force?: boolean }) => push(io, lakehouse(), { table: o.table, file, ...(o.force ? { force: true } : {}) })),
    "evodb push schema/events.json --table events",
    "evodb push schema/events.ts --table events --force",
  );

  const lance = examples(program.command("lance").description("read Lance datasets written by lancedb (local folders only)"), "evodb lance info ./db/items.lance");
  lance.hook("preAction", () => localOnly("lance"));
  examples(
    lance.command("info").description("schema, versions and row count").argument("<dataset>").addOption(formatOption()).action((dir: string, o: { format: RowFormat }) => lanceInfo(io, dir, o.format)),
    "evodb lance info ./db/items.lance --format json",
  );
  examples(
    lance
      .command("scan")
      .description("rows of a version")
      .argument("<dataset>")
      .option("--version <n>", "dataset version (time travel)", integer)
      .option("--select <cols>", "comma-separated columns", list)
      .option("--limit <n>", "at most n rows", integer)
      .addOption(formatOption())
      .action((dir: string, o: { version?: number; select?: string[]; limit?: number; format: RowFormat }) => lanceScan(io, dir, o)),
    "evodb lance scan ./db/items.lance --version 2 --select id,label --limit 20",
  );
  examples(
    lance
      .command("search")
      .description("nearest neighbours of a vector (rows carry _distance)")
      .argument("<dataset>")
      .requiredOption("--column <name>", "vector column")
      .requiredOption("--vector <json>", "query vector as a JSON array, or @FILE")
      .option("--k <n>", "number of results", integer, 10)
      .option("--nprobes <n>", "IVF partitions to probe", integer)
      .option("--refine <n>", "refine factor (exact re-ranking of k * n candidates)", integer)
      .option("--select <cols>", "comma-separated columns", list)
      .addOption(formatOption())
      .action((dir: string, o: { column: string; vector: string; k: number; nprobes?: number; refine?: number; select?: string[]; format: RowFormat }) => lanceSearch(io, dir, o)),
    "evodb lance search ./db/items.lance --column vector --vector '[0.1,0.2,0.3,0.4]' --k 5 --format json",
  );

  return program;
}

/** The exit code an error stands for (see the "Exit codes" section of `evodb --help`). */
export function exitCodeOf(error: EvoDBError): number {
  if (error.code === "SCHEMA_BREAKING_CHANGE") return EXIT_BREAKING;
  if (error.code === "UNAUTHORIZED" || error.code === "FORBIDDEN") return EXIT_UNAUTHORIZED;
  if (error.details?.["unreachable"] === true) return EXIT_UNREACHABLE;
  return EXIT_ERROR;
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
      return exitCodeOf(error);
    }
    throw error;
  }
}
