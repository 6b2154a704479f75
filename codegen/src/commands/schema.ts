import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { checkSchema, diffSchemas, EvoDBError, isEvoDBError, parseJson, pathToName, schemaHash, type Schema, type SchemaChange, type SchemaDiff } from "@evodb/core";
import type { ObjectStore } from "@evodb/core";
import type { Table } from "@evodb/lakehouse";
import type { CliIO } from "../io";
import { listTables, openLocalTable } from "../local-store";
import { schemasToTypeScript, type TableSchemaInfo } from "../typegen";

/** File name of the lock written by `evodb lock`. */
export const LOCK_FILE = "evodb.lock.json";
const LOCK_VERSION = 1;

/** `evodb.lock.json`: per table, the schema id and version in force and a hash of its canonical form. */
export interface LockFile {
  lockVersion: 1;
  tables: Record<string, { schemaId: number; version: number; hash: string }>;
}

/** The current schema of a table, or null while a flexible table has not seen a document. */
async function currentSchema(table: Table, schemaId?: number): Promise<{ schemaId: number; schema: Schema } | null> {
  const { schemaId: id, schema } = await table.schema(schemaId);
  if (schema !== null && typeof schema === "object" && !Array.isArray(schema) && Object.keys(schema).length === 0) return null;
  return { schemaId: id, schema: checkSchema(schema) };
}

async function schemasOf(store: ObjectStore, names: readonly string[]): Promise<TableSchemaInfo[]> {
  const out: TableSchemaInfo[] = [];
  for (const name of names.length > 0 ? names : await listTables(store)) {
    const current = await currentSchema(await openLocalTable(store, name));
    if (current !== null) out.push({ table: name, ...current });
  }
  return out;
}

/** `evodb pull`: TypeScript declarations of table schemas, to `out` or stdout. */
export async function pull(io: CliIO, store: ObjectStore, options: { tables: string[]; out?: string }): Promise<void> {
  const infos = await schemasOf(store, options.tables);
  const source = schemasToTypeScript(infos);
  if (options.out === undefined) io.stdout(source);
  else {
    await writeFile(resolve(io.cwd, options.out), source);
    io.stderr(`wrote ${infos.length} interface${infos.length === 1 ? "" : "s"} to ${options.out}\n`);
  }
}

/** `evodb lock`: writes evodb.lock.json for every table (or the named ones). */
export async function lock(io: CliIO, store: ObjectStore, options: { tables: string[]; out?: string }): Promise<LockFile> {
  const lockFile: LockFile = { lockVersion: LOCK_VERSION, tables: {} };
  for (const info of await schemasOf(store, options.tables)) {
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
 * `evodb diff --table T [--from ID] [--to ID]`: two schema versions of a table. Without `--from`,
 * the version pinned in evodb.lock.json (local) against the current one (remote); without a lock,
 * the previous version. Returns the diff; the caller exits non-zero when it is breaking.
 */
export async function diff(io: CliIO, store: ObjectStore, options: { table: string; from?: number; to?: number }): Promise<SchemaDiff> {
  const table = await openLocalTable(store, options.table);
  const to = await currentSchema(table, options.to);
  if (to === null) throw new EvoDBError("NOT_FOUND", `Table ${options.table} has no schema yet; ingest documents or push a schema first.`);
  const fromId = options.from ?? (await readLock(io))?.tables[options.table]?.schemaId ?? Math.max(0, to.schemaId - 1);
  const from = (await currentSchema(table, fromId)) ?? { schemaId: fromId, schema: { ...to.schema, fields: [] } };
  const result = diffSchemas(from.schema, to.schema);
  io.stdout(`${options.table}: schema ${from.schemaId} -> ${to.schemaId}\n${formatDiff(result)}`);
  return result;
}

/**
 * `evodb push FILE --table T [--force]`: makes the schema in FILE (core's schema JSON, docs/schema.md)
 * the table's current version. A breaking change is refused with the diff unless `force`.
 */
export async function push(io: CliIO, store: ObjectStore, options: { table: string; file: string; force?: boolean }): Promise<void> {
  let incoming: Schema;
  try {
    incoming = checkSchema(parseJson(await readFile(resolve(io.cwd, options.file), "utf8")));
  } catch (error) {
    if (!isEvoDBError(error)) throw error;
    throw new EvoDBError("INVALID_ARGUMENT", `${options.file}: ${error.message}`, { cause: error });
  }
  const table = await openLocalTable(store, options.table);
  const current = await currentSchema(table);
  if (current !== null) {
    const change = diffSchemas(current.schema, incoming);
    // diffSchemas compares fields; locking or unlocking alone is a change too.
    if (change.classification === "none" && current.schema.locked === incoming.locked) {
      io.stdout(`${options.table}: schema ${current.schemaId} already matches ${options.file}\n`);
      return;
    }
    if (change.classification === "breaking" && options.force !== true) {
      throw new EvoDBError("SCHEMA_BREAKING_CHANGE", `${options.table}: ${options.file} breaks schema ${current.schemaId}:\n${formatDiff(change)}Rerun with --force to create a new schema version anyway.`);
    }
  }
  const version = await table.evolveSchema(incoming as never, current === null ? {} : { expectedSchemaId: current.schemaId });
  io.stdout(`${options.table}: schema ${version.schemaId} is current${incoming.locked ? " (locked)" : ""}\n`);
}
