import { EvoDBError } from "../errors";
import { pathToName } from "../shred/path";
import { diffSchemas } from "./diff";
import { widenShape } from "./lattice";
import type { Schema, SchemaField } from "./types";

/**
 * Schema evolution (docs/schema.md, "Evolution"): widening merges, renames by field id, drops and
 * locking. Every operation returns a new schema; one that changes anything has `version + 1`.
 */

function holdsObjects(field: SchemaField | undefined): boolean {
  return field !== undefined && (field.type === "object" || field.type === "variant");
}

function parentName(path: readonly string[]): string {
  return pathToName(path.slice(0, -1));
}

/**
 * Widens `base` so that everything `incoming` describes is also valid (how a flexible table takes
 * new documents: `mergeSchemas(current, inferSchema(newDocs))`). Fields keep their ids; fields new in
 * `incoming` get fresh ids in its order; types widen with `widenShape` (union of member types);
 * nullable is or-ed;
 * a field stays required only if both sides require it, and a field missing on one side becomes
 * optional when its parent holds objects on that side. `incoming`'s own ids and version are ignored.
 * Returns `base` itself when nothing changes, else a schema with `version + 1`.
 */
export function mergeSchemas(base: Schema, incoming: Schema): Schema {
  const baseByName = new Map(base.fields.map((f) => [pathToName(f.path), f] as const));
  const incomingByName = new Map(incoming.fields.map((f) => [pathToName(f.path), f] as const));
  let nextFieldId = base.nextFieldId;
  const fields: SchemaField[] = [];
  for (const field of base.fields) {
    const other = incomingByName.get(pathToName(field.path));
    if (other === undefined) {
      const contradicted = field.path.length > 0 && holdsObjects(incomingByName.get(parentName(field.path)));
      fields.push(contradicted && field.required ? { ...field, required: false } : field);
    } else {
      fields.push({
        id: field.id,
        path: field.path,
        ...widenShape(field, other),
        nullable: field.nullable || other.nullable,
        required: field.required && other.required,
      });
    }
  }
  for (const field of incoming.fields) {
    if (baseByName.has(pathToName(field.path))) continue;
    const contradicted = field.path.length > 0 && holdsObjects(baseByName.get(parentName(field.path)));
    fields.push({ ...field, id: nextFieldId++, required: field.required && !contradicted });
  }
  const merged: Schema = { ...base, nextFieldId, fields };
  if (diffSchemas(base, merged).classification === "none") return base;
  return { ...merged, version: base.version + 1 };
}

function findField(schema: Schema, path: readonly string[]): SchemaField {
  const name = pathToName(path);
  const field = schema.fields.find((f) => pathToName(f.path) === name);
  if (field === undefined) {
    throw new EvoDBError("NOT_FOUND", `Schema version ${schema.version} has no field ${JSON.stringify(name)}`, { details: { path: [...path] } });
  }
  return field;
}

function isUnder(path: readonly string[], prefix: readonly string[]): boolean {
  return path.length >= prefix.length && prefix.every((key, i) => path[i] === key);
}

/**
 * Renames the field at `from` (and moves its subtree) to `to`, keeping every field id, so data
 * written under the old path is found by id. Throws `NOT_FOUND` if `from` does not exist and
 * `INVALID_ARGUMENT` if `to` exists already, is inside `from`, or has no parent field holding objects.
 */
export function renameField(schema: Schema, from: readonly string[], to: readonly string[]): Schema {
  const moved = findField(schema, from);
  const toName = pathToName(to);
  if (from.length === 0 || to.length === 0) throw new EvoDBError("INVALID_ARGUMENT", "The root field cannot be renamed");
  if (schema.fields.some((f) => pathToName(f.path) === toName)) {
    throw new EvoDBError("INVALID_ARGUMENT", `Cannot rename to ${JSON.stringify(toName)}: a field with that path exists`);
  }
  if (isUnder(to, from)) throw new EvoDBError("INVALID_ARGUMENT", `Cannot rename ${JSON.stringify(pathToName(from))} into its own subtree`);
  const parent = schema.fields.find((f) => pathToName(f.path) === parentName(to));
  if (!holdsObjects(parent)) {
    throw new EvoDBError("INVALID_ARGUMENT", `Cannot rename to ${JSON.stringify(toName)}: its parent is not an object field`);
  }
  const fields = schema.fields.map((f) => (isUnder(f.path, moved.path) ? { ...f, path: [...to, ...f.path.slice(from.length)] } : f));
  return { ...schema, version: schema.version + 1, fields: orderParentsFirst(fields) };
}

/** Keeps relative order but moves every field after its parent (a rename can move a subtree up). */
function orderParentsFirst(fields: SchemaField[]): SchemaField[] {
  const placed = new Set<string>();
  const out: SchemaField[] = [];
  let pending = fields;
  while (pending.length > 0) {
    const next: SchemaField[] = [];
    for (const field of pending) {
      if (field.path.length === 0 || placed.has(parentName(field.path))) {
        out.push(field);
        placed.add(pathToName(field.path));
      } else next.push(field);
    }
    if (next.length === pending.length) throw new EvoDBError("INTERNAL", "Schema fields without parents after a rename");
    pending = next;
  }
  return out;
}

/** Removes the field at `path` and its subtree (a breaking change). Ids are not reused. */
export function dropField(schema: Schema, path: readonly string[]): Schema {
  const dropped = findField(schema, path);
  return { ...schema, version: schema.version + 1, fields: schema.fields.filter((f) => !isUnder(f.path, dropped.path)) };
}

/**
 * Locks or unlocks the schema: a locked table refuses documents that break it (`assertValid`)
 * instead of widening. Returns `schema` itself when already in that state, else `version + 1`.
 */
export function setLocked(schema: Schema, locked: boolean): Schema {
  return schema.locked === locked ? schema : { ...schema, locked, version: schema.version + 1 };
}
