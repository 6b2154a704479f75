import { EvoDBError, type ObjectStore } from "@evodb/core";
import { serializeSchemaFile, serializeTableMetadata, TABLE_FORMAT_VERSION } from "./metadata-codec";
import { tablePrefix, validatePartitionFieldName, validateTableName } from "./names";
import { randomId } from "./random-id";
import { POINTER_PATH, readPointerObject, Table, type TableOptions } from "./table";
import type { Json, PartitionSpec, TableMetadata } from "./types";

/** Where a table lives: `<root>/<name>/` in the store (root `""` = the bucket root). */
export interface TableLocation {
  root?: string;
  name: string;
}

/** What a new table starts with. */
export interface TableDefinition extends TableLocation {
  /** Path of the primary key in each document (needed for key-based updates and deletes). */
  keyPath?: string[] | null;
  partitionSpec?: PartitionSpec;
  /** The first schema version (core's schema JSON; `{}` for a flexible table that starts empty). */
  schema?: Json;
  properties?: Record<string, string>;
}

const TRANSFORMS = new Set(["identity", "year", "month", "day", "hour"]);

function checkDefinition(definition: TableDefinition): void {
  const keyPath = definition.keyPath ?? null;
  if (keyPath !== null && (!Array.isArray(keyPath) || keyPath.length === 0 || keyPath.some((k) => typeof k !== "string"))) {
    throw new EvoDBError("INVALID_ARGUMENT", "keyPath must be a non-empty array of object keys (e.g. [\"id\"]) or null.");
  }
  const names = new Set<string>();
  for (const field of definition.partitionSpec?.fields ?? []) {
    validatePartitionFieldName(field.name);
    if (names.has(field.name)) throw new EvoDBError("INVALID_ARGUMENT", `Partition field ${field.name} is declared twice.`);
    names.add(field.name);
    if (!TRANSFORMS.has(field.transform)) throw new EvoDBError("INVALID_ARGUMENT", `Partition field ${field.name} has unknown transform ${JSON.stringify(field.transform)}; use identity, year, month, day or hour.`);
    if (!Array.isArray(field.sourcePath) || field.sourcePath.length === 0) throw new EvoDBError("INVALID_ARGUMENT", `Partition field ${field.name} needs a non-empty sourcePath.`);
  }
  for (const [key, value] of Object.entries(definition.properties ?? {})) {
    if (typeof value !== "string") throw new EvoDBError("INVALID_ARGUMENT", `Table property ${key} must be a string.`);
  }
}

/**
 * Creates a table: writes its pointer create-only, so of two concurrent creators exactly one wins
 * and the other gets `COMMIT_CONFLICT`.
 */
export async function createTable(store: ObjectStore, definition: TableDefinition, options: TableOptions = {}): Promise<Table> {
  const prefix = tablePrefix(definition.root ?? "", definition.name);
  checkDefinition(definition);
  const schemaPath = `schemas/${randomId()}.json`;
  await store.put(prefix + schemaPath, serializeSchemaFile(definition.schema ?? {}), { onlyIf: { etagDoesNotMatch: "*" } });
  const metadata: TableMetadata = {
    formatVersion: TABLE_FORMAT_VERSION,
    tableId: randomId(),
    name: validateTableName(definition.name),
    version: 1,
    createdAtMs: (options.clock ?? Date.now)(),
    keyPath: definition.keyPath ?? null,
    partitionSpec: { fields: (definition.partitionSpec?.fields ?? []).map((f) => ({ name: f.name, sourcePath: [...f.sourcePath], transform: f.transform })) },
    schemas: [{ schemaId: 0, path: schemaPath }],
    currentSchemaId: 0,
    currentSnapshotId: null,
    snapshots: [],
    lastSnapshotId: 0,
    properties: { ...definition.properties },
  };
  const created = await store.put(prefix + POINTER_PATH, serializeTableMetadata(metadata), { onlyIf: { etagDoesNotMatch: "*" } });
  if (created === null) {
    // The schema file of the table that lost the race is referenced by nothing.
    await store.delete(prefix + schemaPath);
    throw new EvoDBError("COMMIT_CONFLICT", `Table ${prefix} already exists; open it with openTable.`, { details: { prefix, reason: "exists" } });
  }
  return new Table(store, prefix, metadata.tableId, options);
}

/** Opens an existing table (`NOT_FOUND` when there is none at that location). */
export async function openTable(store: ObjectStore, location: TableLocation, options: TableOptions = {}): Promise<Table> {
  const prefix = tablePrefix(location.root ?? "", location.name);
  const { metadata } = await readPointerObject(store, prefix);
  return new Table(store, prefix, metadata.tableId, options);
}
