import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { diffSchemas, EvoDBError, isEvoDBError, pathToName, schemaHash, type SchemaChange, type SchemaDiff } from "@evodb/core";
import type { CliIO } from "../io";
import type { Lakehouse, PushOutcome } from "../lakehouse";
import { loadSchemaFile } from "../schema-file";
import { schemasToTypeScript, type TableSchemaInfo } from "../typegen";

/** File name of the lock written by `evodb lock`. */
export const LOCK_FILE = "evodb.lock.json";
const LOCK_VERSION = 1;

/** `evodb.lock.json`: per table, the schema id and version in force and a hash of its canonical form. */
export interface LockFile {
  lockVersion: 1;
  tables: Record<string, { schemaId: number; version: number; hash: string }>;
}

async function schemasOf(lakehouse: Lakehouse, names: readonly string[]): Promise<TableSchemaInfo[]> {
  const out: TableSchemaInfo[] = [];
  for (const name of names.length > 0 ? names : await lakehouse.tableNames()) {
    const current = await lakehouse.schema(name);
    if (current !== null) out.push({ table: name, ...current });
  }
  return out;
}

/** `evodb pull`: TypeScript declarations of table schemas, to `out` or stdout. */
export async function pull(io: CliIO, lakehouse: Lakehouse, options: { tables: string[]; out?: string }): Promise<void> {
  const infos = await schemasOf(lakehouse, options.tables);
  const source = schemasToTypeScript(infos);
  if (options.out === undefined) io.stdout(source);
  else {
    await writeFile(resolve(io.cwd, options.out), source);
    io.stderr(`wrote ${infos.length} interface${infos.length === 1 ? "" : "s"} to ${options.out}\n`);
  }
}

/** `evodb lock`: writes evodb.lock.json for every table (or the named ones). */
export async function lock(io: CliIO, lakehouse: Lakehouse, options: { tables: string[]; out?: string }): Promise<LockFile> {
  const lockFile: LockFile = { lockVersion: LOCK_VERSION, tables: {} };
  for (const info of await schemasOf(lakehouse, options.tables)) {
    lockFile.tables[info.table] = { schemaId: info.schemaId, version: info.schema.version, hash: await schemaHash(info.schema) };
  }
  const path = resolve(io.cwd, options.out ?? LOCK_FILE);
  await writeFile(path, `${JSON.stringify(lockFile, null, 2)}\n`);
  io.stdout(`locked ${Object.keys(lockFile.tables).length} tables in ${options.out ?? LOCK_FILE}\n`);
  return lockFile;
}

async function readLock(io: CliIO): Promise<LockFile | null> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, LOCK_FILE), "utf8");
  } catch {
    // No lock file: `diff` then compares with the previous schema version instead.
    return null;
  }
  let value: LockFile;
  try {
    value = JSON.parse(text) as LockFile;
  } catch (error) {
    throw new EvoDBError("CORRUPT_METADATA", `${LOCK_FILE} is not JSON (${(error as Error).message}); regenerate it with \`evodb lock\`.`, { cause: error });
  }
  if (value?.lockVersion !== LOCK_VERSION || typeof value.tables !== "object") {
    throw new EvoDBError("UNSUPPORTED_VERSION", `${LOCK_FILE} has lockVersion ${String(value?.lockVersion)}; this evodb writes ${LOCK_VERSION}. Regenerate it with \`evodb lock\`.`);
  }
  return value;
}

function describeChange(change: SchemaChange): string {
  const path = pathToName(change.path) || "(document)";
  const shape = (s: SchemaChange["from"]): string => (s === undefined ? "" : `${s.type}${s.nullable ? "|null" : ""}${s.required ? "" : "?"}`);
  const detail =
    change.kind === "renamed" ? ` (was ${pathToName(change.fromPath ?? [])})` : change.from !== undefined ? ` ${shape(change.from)} -> ${shape(change.to)}` : "";
  return `${change.breaking ? "!" : " "} ${change.kind.padEnd(8)} ${path} [field ${change.fieldId}]${detail}`;
}

/** A readable diff: one line per change, `!` marking the breaking ones. */
export function formatDiff(diff: SchemaDiff): string {
  if (diff.changes.length === 0) return "no changes\n";
  return `${diff.changes.map(describeChange).join("\n")}\n${diff.classification} change\n`;
}

/**
 * `evodb diff --table T`: two schema versions of a table, classified (docs/schema.md section 6).
 * `--schema FILE` compares a local schema file with the current one (what `push FILE` would do);
 * otherwise `--from` defaults to the version pinned in evodb.lock.json (local) and, without a lock,
 * the previous version, and `--to` to the current one (remote with `--url`). Returns the diff; the
 * caller exits non-zero when it is breaking.
 */
export async function diff(io: CliIO, lakehouse: Lakehouse, options: { table: string; from?: number; to?: number; schema?: string }): Promise<SchemaDiff> {
  const to = await lakehouse.schema(options.table, options.to);
  if (to === null) throw new EvoDBError("NOT_FOUND", `Table ${options.table} has no schema yet; ingest documents or push a schema first.`);
  if (options.schema !== undefined) {
    const incoming = await loadSchemaFile(io.cwd, options.schema);
    const result = diffSchemas(to.schema, incoming);
    io.stdout(`${options.table}: schema ${to.schemaId} -> ${options.schema}\n${formatDiff(result)}`);
    return result;
  }
  const pinned = options.from === undefined ? (await readLock(io))?.tables[options.table] : undefined;
  const fromId = options.from ?? pinned?.schemaId ?? Math.max(0, to.schemaId - 1);
  const older = await lakehouse.schema(options.table, fromId);
  const from = older?.schema ?? { ...to.schema, fields: [] };
  if (pinned !== undefined && older !== null && (await schemaHash(older.schema)) !== pinned.hash) {
    io.stderr(`warning: schema ${fromId} of ${options.table} does not match the hash in ${LOCK_FILE}; was the lock written against another store?\n`);
  }
  const result = diffSchemas(from, to.schema);
  io.stdout(`${options.table}: schema ${fromId} -> ${to.schemaId}\n${formatDiff(result)}`);
  return result;
}

/**
 * `evodb push FILE --table T [--force]`: makes the schema in FILE (core's schema JSON,
 * docs/schema.md, or a TypeScript/JavaScript module exporting it) the table's current version. A
 * breaking change is refused with the readable diff unless `force`.
 */
export async function push(io: CliIO, lakehouse: Lakehouse, options: { table: string; file: string; force?: boolean }): Promise<void> {
  const incoming = await loadSchemaFile(io.cwd, options.file);
  let outcome: PushOutcome;
  try {
    outcome = await lakehouse.pushSchema(options.table, incoming, options.force === true);
  } catch (error) {
    const details = isEvoDBError(error, "SCHEMA_BREAKING_CHANGE") ? (error.details as { currentSchemaId?: number; diff?: SchemaDiff } | undefined) : undefined;
    if (details?.diff === undefined) throw error;
    throw new EvoDBError("SCHEMA_BREAKING_CHANGE", `${options.table}: ${options.file} breaks schema ${details.currentSchemaId}:\n${formatDiff(details.diff)}Rerun with --force to create a new schema version anyway.`, {
      cause: error,
      details,
    });
  }
  if (!outcome.changed) io.stdout(`${options.table}: schema ${outcome.schemaId} already matches ${options.file}\n`);
  else io.stdout(`${options.table}: schema ${outcome.schemaId} is current${incoming.locked ? " (locked)" : ""}\n`);
}
