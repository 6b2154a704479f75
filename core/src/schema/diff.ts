import { pathToName } from "../shred/path";
import { covers, typeSetOf } from "./lattice";
import type { FieldShape, Schema, SchemaChange, SchemaChangeClass, SchemaDiff, SchemaField } from "./types";

/**
 * Differences between two schema versions, matched by field id (docs/schema.md, "Diff"). Each
 * change is one of added / removed / widened / narrowed / renamed; the whole change is
 * - `none`: same fields, ids, paths and types;
 * - `additive`: only new optional fields;
 * - `widening`: additionally, existing fields accept more (int -> float, X -> variant, more variant
 *   members, null -> X, nullable, required -> optional);
 * - `breaking`: anything that old data or old readers can violate: a removed field, a narrowed
 *   field, a rename (data is kept by id, but queries by the old path stop matching), or a new
 *   required field under an existing object (old documents lack it).
 */
export function diffSchemas(older: Schema, newer: Schema): SchemaDiff {
  const olderById = new Map(older.fields.map((f) => [f.id, f] as const));
  const newerById = new Map(newer.fields.map((f) => [f.id, f] as const));
  const olderNames = new Set(older.fields.map((f) => pathToName(f.path)));
  const changes: SchemaChange[] = [];
  for (const field of newer.fields) {
    const before = olderById.get(field.id);
    if (before === undefined) {
      // A required field breaks old data only if its parent existed (and so holds old documents).
      const parentExisted = field.path.length === 0 || olderNames.has(pathToName(field.path.slice(0, -1)));
      changes.push({ kind: "added", fieldId: field.id, path: field.path, to: shapeOf(field), breaking: field.required && parentExisted });
      continue;
    }
    if (pathToName(before.path) !== pathToName(field.path)) {
      changes.push({ kind: "renamed", fieldId: field.id, path: field.path, fromPath: before.path, breaking: true });
    }
    const typeChanged = typeSetOf(before) !== typeSetOf(field);
    if (typeChanged || before.nullable !== field.nullable || before.required !== field.required) {
      const widened = covers(field, before) && (!before.nullable || field.nullable) && (before.required || !field.required);
      changes.push({
        kind: widened ? "widened" : "narrowed",
        fieldId: field.id,
        path: field.path,
        from: shapeOf(before),
        to: shapeOf(field),
        breaking: !widened,
      });
    }
  }
  for (const field of older.fields) {
    if (!newerById.has(field.id)) changes.push({ kind: "removed", fieldId: field.id, path: field.path, from: shapeOf(field), breaking: true });
  }
  return { changes, classification: classify(changes) };
}

function shapeOf(field: SchemaField): FieldShape {
  return field.variantTypes === undefined
    ? { type: field.type, nullable: field.nullable, required: field.required }
    : { type: field.type, variantTypes: field.variantTypes, nullable: field.nullable, required: field.required };
}

function classify(changes: readonly SchemaChange[]): SchemaChangeClass {
  if (changes.length === 0) return "none";
  if (changes.some((c) => c.breaking)) return "breaking";
  if (changes.some((c) => c.kind === "widened")) return "widening";
  return "additive";
}

/**
 * For reading data written under `older` with the field paths of `newer`: old path name -> new path,
 * for every field id present in both (renamed fields map to their new path, others to themselves).
 */
export function pathMapping(older: Schema, newer: Schema): Map<string, readonly string[]> {
  const newerById = new Map(newer.fields.map((f) => [f.id, f] as const));
  const mapping = new Map<string, readonly string[]>();
  for (const field of older.fields) {
    const current = newerById.get(field.id);
    if (current !== undefined) mapping.set(pathToName(field.path), current.path);
  }
  return mapping;
}
