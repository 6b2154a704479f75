import { Tag, type JsonValue, type ShreddedBatch } from "../column";
import { EvoDBError } from "../errors";
import { MAX_JSON_DEPTH } from "../json";
import { pathToName } from "../shred/path";
import { shapeOfTypeSet, typeBit } from "./lattice";
import { SCHEMA_FORMAT_VERSION, type Schema, type SchemaField } from "./types";

/**
 * Schema inference (docs/schema.md, "Inference"): per path, which kinds of value occur, whether null
 * occurs, and in how many of the parent's object rows the path is present. Documents are walked once;
 * a shredded batch is read column by column (tags and types, no reassembly), with its variant and
 * overflow values walked like documents.
 */

// Kinds are recorded as the member-type bits of lattice.ts, so the set maps straight to a type.
const KIND_BOOL = typeBit("bool");
const KIND_INT = typeBit("int");
const KIND_FLOAT = typeBit("float");
const KIND_STRING = typeBit("string");
const KIND_ARRAY = typeBit("array");
const KIND_OBJECT = typeBit("object");

class PathStats {
  kinds = 0;
  nullable = false;
  /** Rows in which the path exists. */
  present = 0;
  /** Rows in which the path holds an object (the rows its children could appear in). */
  objects = 0;
  readonly children = new Map<string, PathStats>();
  constructor(
    readonly path: readonly string[],
    readonly parent: PathStats | undefined,
  ) {}
}

class StatsCollector {
  readonly root = new PathStats([], undefined);
  /** Creation order: parents before children. */
  readonly all: PathStats[] = [this.root];

  child(parent: PathStats, key: string): PathStats {
    let stats = parent.children.get(key);
    if (stats === undefined) {
      stats = new PathStats([...parent.path, key], parent);
      parent.children.set(key, stats);
      this.all.push(stats);
    }
    return stats;
  }

  /** Records one present value at `stats` and, for objects, its members. */
  observe(stats: PathStats, value: JsonValue): void {
    if (stats.path.length > MAX_JSON_DEPTH) {
      throw new EvoDBError("LIMIT_EXCEEDED", `A document nests objects deeper than ${MAX_JSON_DEPTH} levels`, { details: { maxDepth: MAX_JSON_DEPTH } });
    }
    stats.present++;
    if (value === null) {
      stats.nullable = true;
      return;
    }
    switch (typeof value) {
      case "boolean":
        stats.kinds |= KIND_BOOL;
        return;
      case "number":
        stats.kinds |= Number.isSafeInteger(value) && !Object.is(value, -0) ? KIND_INT : KIND_FLOAT;
        return;
      case "bigint":
        stats.kinds |= KIND_INT;
        return;
      case "string":
        stats.kinds |= KIND_STRING;
        return;
      default:
        if (Array.isArray(value)) {
          stats.kinds |= KIND_ARRAY;
          return;
        }
        stats.kinds |= KIND_OBJECT;
        stats.objects++;
        for (const key in value) {
          const member = value[key];
          if (member !== undefined) this.observe(this.child(stats, key), member);
        }
    }
  }
}

/** Infers a version-1 schema (ids 1, 2, ... in order of first appearance) from documents or a batch. */
export function inferSchema(input: readonly JsonValue[] | ShreddedBatch): Schema {
  const collector = new StatsCollector();
  if (isBatch(input)) collectBatch(collector, input);
  else for (const doc of input) collector.observe(collector.root, doc);
  return schemaFromStats(collector);
}

function isBatch(input: readonly JsonValue[] | ShreddedBatch): input is ShreddedBatch {
  return !Array.isArray(input);
}

function collectBatch(collector: StatsCollector, batch: ShreddedBatch): void {
  const byName = new Map<string, PathStats>([["", collector.root]]);
  for (const column of batch.columns) {
    let stats = collector.root;
    if (column.path.length > 0) {
      const parent = byName.get(pathToName(column.path.slice(0, -1)));
      // A column without its parent cannot be placed; reassemble() reports such batches.
      if (parent === undefined) continue;
      stats = collector.child(parent, column.path[column.path.length - 1]!);
      byName.set(pathToName(column.path), stats);
    }
    const valueKind =
      column.type === "int" ? KIND_INT : column.type === "float" ? KIND_FLOAT : column.type === "string" ? KIND_STRING : column.type === "bool" ? KIND_BOOL : 0;
    const { tags, variants, overflow } = column;
    for (let row = 0; row < tags.length; row++) {
      switch (tags[row]) {
        case Tag.Null:
          stats.present++;
          stats.nullable = true;
          break;
        case Tag.Value:
          stats.present++;
          stats.kinds |= valueKind;
          break;
        case Tag.Object: {
          stats.present++;
          stats.kinds |= KIND_OBJECT;
          stats.objects++;
          const members = overflow?.[row];
          if (members !== undefined) {
            for (const key in members) collector.observe(collector.child(stats, key), members[key]!);
          }
          break;
        }
        case Tag.Variant: {
          const value = variants?.[row];
          if (value !== undefined) collector.observe(stats, value);
          break;
        }
      }
    }
  }
}

function schemaFromStats(collector: StatsCollector): Schema {
  const fields: SchemaField[] = [];
  let id = 1;
  if (collector.root.present > 0) {
    for (const stats of collector.all) {
      // Columns that are Missing in every row (possible in hand-built batches) say nothing.
      if (stats.present === 0) continue;
      fields.push({
        id: id++,
        path: stats.path,
        ...shapeOfTypeSet(stats.kinds),
        nullable: stats.nullable,
        required: stats.parent === undefined || stats.present === stats.parent.objects,
      });
    }
  }
  return { formatVersion: SCHEMA_FORMAT_VERSION, version: 1, locked: false, nextFieldId: id, fields };
}
