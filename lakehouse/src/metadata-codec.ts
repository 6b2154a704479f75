import { EvoDBError } from "@evodb/core";
import { JsonReader } from "./json-check";
import { validatePartitionFieldName, validateRelativePath, type TableDirectory } from "./names";
import type {
  ColumnStatistics,
  Json,
  DataFile,
  DeleteFile,
  LsnRange,
  PartitionSpec,
  SchemaVersion,
  Snapshot,
  SnapshotRef,
  SnapshotSummary,
  TableMetadata,
} from "./types";

/**
 * Reading and writing the two JSON files of the table format (docs/lakehouse.md, "Table metadata"
 * and "Snapshot file"). Readers check the `format` tag first and refuse a `formatVersion` they do
 * not know with `UNSUPPORTED_VERSION`, then validate every field (`CORRUPT_METADATA`).
 */

/** The format version this build reads and writes. */
export const TABLE_FORMAT_VERSION = 1;
const TABLE_FORMAT = "evodb-table";
const SNAPSHOT_FORMAT = "evodb-snapshot";
const SCHEMA_FORMAT = "evodb-schema";
const OPERATIONS = ["append", "overwrite", "compaction", "delete"] as const;
const TRANSFORMS = ["identity", "year", "month", "day", "hour"] as const;

function checkHeader(reader: JsonReader, doc: Record<string, unknown>, format: string, file: string): void {
  if (doc.format !== format) throw reader.fail("format", `must be "${format}"`);
  const version = reader.count(doc.formatVersion, "formatVersion");
  if (version !== TABLE_FORMAT_VERSION) {
    throw new EvoDBError(
      "UNSUPPORTED_VERSION",
      `${file} has table format version ${version}; this build of @evodb/lakehouse reads version ${TABLE_FORMAT_VERSION}. Upgrade @evodb/lakehouse.`,
      { details: { file, formatVersion: version, supported: [TABLE_FORMAT_VERSION] } },
    );
  }
}

function relativePath(reader: JsonReader, value: unknown, field: string, directory: TableDirectory): string {
  const path = reader.string(value, field);
  try {
    return validateRelativePath(path, directory);
  } catch (cause) {
    throw reader.fail(field, `is not a safe path under ${directory}/`, cause);
  }
}

function readLsnRange(reader: JsonReader, value: unknown, field: string): LsnRange | undefined {
  if (value === undefined) return undefined;
  const range = reader.object(value, field);
  const min = reader.count(range.min, `${field}.min`);
  const max = reader.count(range.max, `${field}.max`);
  if (min > max) throw reader.fail(field, "has min > max");
  return { min, max };
}

function readSummary(reader: JsonReader, value: unknown, field: string): SnapshotSummary {
  const s = reader.object(value, field);
  const n = (key: keyof SnapshotSummary): number => reader.count(s[key], `${field}.${key}`);
  return {
    addedFiles: n("addedFiles"),
    removedFiles: n("removedFiles"),
    addedDeleteFiles: n("addedDeleteFiles"),
    removedDeleteFiles: n("removedDeleteFiles"),
    addedRows: n("addedRows"),
    removedRows: n("removedRows"),
    addedBytes: n("addedBytes"),
    removedBytes: n("removedBytes"),
    totalFiles: n("totalFiles"),
    totalRows: n("totalRows"),
    totalBytes: n("totalBytes"),
    totalDeleteFiles: n("totalDeleteFiles"),
  };
}

function readSnapshotRef(reader: JsonReader, value: unknown, field: string): SnapshotRef {
  const r = reader.object(value, field);
  return {
    snapshotId: reader.count(r.snapshotId, `${field}.snapshotId`),
    parentId: reader.countOrNull(r.parentId, `${field}.parentId`),
    timestampMs: reader.count(r.timestampMs, `${field}.timestampMs`),
    operation: reader.oneOf(r.operation, `${field}.operation`, OPERATIONS),
    schemaId: reader.count(r.schemaId, `${field}.schemaId`),
    summary: readSummary(reader, r.summary, `${field}.summary`),
    path: relativePath(reader, r.path, `${field}.path`, "snapshots"),
  };
}

function readPartitionSpec(reader: JsonReader, value: unknown): PartitionSpec {
  const spec = reader.object(value, "partitionSpec");
  const fields = reader.array(spec.fields, "partitionSpec.fields").map((item, i) => {
    const f = reader.object(item, `partitionSpec.fields[${i}]`);
    const name = reader.string(f.name, `partitionSpec.fields[${i}].name`);
    try {
      validatePartitionFieldName(name);
    } catch (cause) {
      throw reader.fail(`partitionSpec.fields[${i}].name`, "is not a valid partition field name", cause);
    }
    return {
      name,
      sourcePath: reader.stringArray(f.sourcePath, `partitionSpec.fields[${i}].sourcePath`),
      transform: reader.oneOf(f.transform, `partitionSpec.fields[${i}].transform`, TRANSFORMS),
    };
  });
  return { fields };
}

/** Parses and validates the pointer object `metadata/current.json`. */
export function parseTableMetadata(text: string, file: string): TableMetadata {
  const reader = new JsonReader(file);
  const doc = reader.object(reader.parse(text), "(root)");
  checkHeader(reader, doc, TABLE_FORMAT, file);
  const schemas: SchemaVersion[] = reader.array(doc.schemas, "schemas").map((item, i) => {
    const s = reader.object(item, `schemas[${i}]`);
    return { schemaId: reader.count(s.schemaId, `schemas[${i}].schemaId`), path: relativePath(reader, s.path, `schemas[${i}].path`, "schemas") };
  });
  const currentSchemaId = reader.count(doc.currentSchemaId, "currentSchemaId");
  if (!schemas.some((s) => s.schemaId === currentSchemaId)) throw reader.fail("currentSchemaId", "names no schema in schemas");
  const snapshots = reader.array(doc.snapshots, "snapshots").map((item, i) => readSnapshotRef(reader, item, `snapshots[${i}]`));
  const currentSnapshotId = reader.countOrNull(doc.currentSnapshotId, "currentSnapshotId");
  const last = snapshots[snapshots.length - 1];
  if ((last?.snapshotId ?? null) !== currentSnapshotId) {
    throw reader.fail("currentSnapshotId", "is not the last snapshot of the history");
  }
  for (let i = 1; i < snapshots.length; i++) {
    if (snapshots[i]!.parentId !== snapshots[i - 1]!.snapshotId) throw reader.fail(`snapshots[${i}].parentId`, "breaks the linear history");
  }
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(reader.object(doc.properties, "properties"))) {
    properties[key] = reader.string(value, `properties.${key}`);
  }
  return {
    formatVersion: TABLE_FORMAT_VERSION,
    tableId: reader.string(doc.tableId, "tableId"),
    name: reader.string(doc.name, "name"),
    version: reader.count(doc.version, "version"),
    createdAtMs: reader.count(doc.createdAtMs, "createdAtMs"),
    keyPath: doc.keyPath === null ? null : reader.stringArray(doc.keyPath, "keyPath"),
    partitionSpec: readPartitionSpec(reader, doc.partitionSpec),
    schemas,
    currentSchemaId,
    currentSnapshotId,
    snapshots,
    lastSnapshotId: reader.count(doc.lastSnapshotId, "lastSnapshotId"),
    properties,
  };
}

/** Serialises table metadata (field order fixed, so equal metadata gives equal bytes). */
export function serializeTableMetadata(meta: TableMetadata): string {
  return JSON.stringify({
    format: TABLE_FORMAT,
    formatVersion: TABLE_FORMAT_VERSION,
    tableId: meta.tableId,
    name: meta.name,
    version: meta.version,
    createdAtMs: meta.createdAtMs,
    keyPath: meta.keyPath,
    partitionSpec: meta.partitionSpec,
    schemas: meta.schemas,
    currentSchemaId: meta.currentSchemaId,
    currentSnapshotId: meta.currentSnapshotId,
    lastSnapshotId: meta.lastSnapshotId,
    snapshots: meta.snapshots,
    properties: meta.properties,
  });
}

function readColumnStats(reader: JsonReader, value: unknown, field: string): Record<string, ColumnStatistics> {
  const out: Record<string, ColumnStatistics> = {};
  for (const [column, statsValue] of Object.entries(reader.object(value, field))) {
    const f = `${field}.${column}`;
    const stats = reader.json(reader.object(statsValue, f), f) as ColumnStatistics;
    if (stats.min !== undefined) reader.scalar(stats.min, `${f}.min`);
    if (stats.max !== undefined) reader.scalar(stats.max, `${f}.max`);
    for (const counter of ["nullCount", "valueCount", "distinctCount"] as const) {
      if (stats[counter] !== undefined) reader.count(stats[counter], `${f}.${counter}`);
    }
    out[column] = stats;
  }
  return out;
}

function readDataFile(reader: JsonReader, value: unknown, field: string): DataFile {
  const d = reader.object(value, field);
  const partition: Record<string, string | number | boolean | null> = {};
  for (const [key, v] of Object.entries(reader.object(d.partition, `${field}.partition`))) partition[key] = reader.scalar(v, `${field}.partition.${key}`);
  const file: DataFile = {
    path: relativePath(reader, d.path, `${field}.path`, "data"),
    rowCount: reader.count(d.rowCount, `${field}.rowCount`),
    byteSize: reader.count(d.byteSize, `${field}.byteSize`),
    partition,
    columnStats: readColumnStats(reader, d.columnStats, `${field}.columnStats`),
    addedSnapshotId: reader.count(d.addedSnapshotId, `${field}.addedSnapshotId`),
  };
  const lsnRange = readLsnRange(reader, d.lsnRange, `${field}.lsnRange`);
  if (lsnRange !== undefined) file.lsnRange = lsnRange;
  return file;
}

function readDeleteFile(reader: JsonReader, value: unknown, field: string): DeleteFile {
  const d = reader.object(value, field);
  const kind = reader.oneOf(d.kind, `${field}.kind`, ["position", "equality"] as const);
  const common = {
    path: relativePath(reader, d.path, `${field}.path`, "deletes"),
    rowCount: reader.count(d.rowCount, `${field}.rowCount`),
    byteSize: reader.count(d.byteSize, `${field}.byteSize`),
    addedSnapshotId: reader.count(d.addedSnapshotId, `${field}.addedSnapshotId`),
  };
  if (kind === "position") return { kind, ...common, dataFile: relativePath(reader, d.dataFile, `${field}.dataFile`, "data") };
  const lsnRange = readLsnRange(reader, d.lsnRange, `${field}.lsnRange`);
  return lsnRange === undefined ? { kind, ...common } : { kind, ...common, lsnRange };
}

/** Parses and validates an immutable snapshot file. */
export function parseSnapshot(text: string, file: string): Snapshot {
  const reader = new JsonReader(file);
  const doc = reader.object(reader.parse(text), "(root)");
  checkHeader(reader, doc, SNAPSHOT_FORMAT, file);
  const ref = readSnapshotRef(reader, doc, "(root)");
  return {
    ...ref,
    lastLsn: reader.countOrNull(doc.lastLsn, "lastLsn"),
    dataFiles: reader.array(doc.dataFiles, "dataFiles").map((item, i) => readDataFile(reader, item, `dataFiles[${i}]`)),
    deleteFiles: reader.array(doc.deleteFiles, "deleteFiles").map((item, i) => readDeleteFile(reader, item, `deleteFiles[${i}]`)),
  };
}

/** Parses and validates a schema file; returns the schema JSON it holds. */
export function parseSchemaFile(text: string, file: string): Json {
  const reader = new JsonReader(file);
  const doc = reader.object(reader.parse(text), "(root)");
  checkHeader(reader, doc, SCHEMA_FORMAT, file);
  return reader.json(doc.schema, "schema");
}

/** Serialises a schema file. */
export function serializeSchemaFile(schema: Json): string {
  return JSON.stringify({ format: SCHEMA_FORMAT, formatVersion: TABLE_FORMAT_VERSION, schema });
}

/** Serialises a snapshot file. */
export function serializeSnapshot(snapshot: Snapshot): string {
  return JSON.stringify({
    format: SNAPSHOT_FORMAT,
    formatVersion: TABLE_FORMAT_VERSION,
    snapshotId: snapshot.snapshotId,
    parentId: snapshot.parentId,
    timestampMs: snapshot.timestampMs,
    operation: snapshot.operation,
    schemaId: snapshot.schemaId,
    summary: snapshot.summary,
    path: snapshot.path,
    lastLsn: snapshot.lastLsn,
    dataFiles: snapshot.dataFiles.map(orderDataFile),
    deleteFiles: snapshot.deleteFiles.map(orderDeleteFile),
  });
}

/** The spec's field order, whatever order the caller built the object in (stable bytes). */
function orderDataFile(f: DataFile): DataFile {
  const { path, rowCount, byteSize, partition, columnStats, lsnRange, addedSnapshotId } = f;
  return lsnRange === undefined
    ? { path, rowCount, byteSize, partition, columnStats, addedSnapshotId }
    : { path, rowCount, byteSize, partition, columnStats, lsnRange, addedSnapshotId };
}

function orderDeleteFile(f: DeleteFile): DeleteFile {
  if (f.kind === "position") return { kind: f.kind, path: f.path, dataFile: f.dataFile, rowCount: f.rowCount, byteSize: f.byteSize, addedSnapshotId: f.addedSnapshotId };
  const { kind, path, rowCount, byteSize, lsnRange, addedSnapshotId } = f;
  return lsnRange === undefined ? { kind, path, rowCount, byteSize, addedSnapshotId } : { kind, path, rowCount, byteSize, lsnRange, addedSnapshotId };
}
