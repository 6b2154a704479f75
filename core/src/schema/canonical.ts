import { EvoDBError } from "../errors";
import { pathToName } from "../shred/path";
import { MEMBER_TYPES, shapeOfTypeSet, typeSetOf } from "./lattice";
import { SCHEMA_FORMAT_VERSION, type FieldType, type Schema, type SchemaField } from "./types";

/**
 * The schema's JSON form (docs/schema.md, "JSON form and hash"). The canonical form has object keys
 * in sorted order, fields sorted by path (key by key, in UTF-16 code unit order, so parents come
 * before children), only the properties the format defines, and no whitespace,
 * so equal schemas give byte-equal text and the same hash however their objects were built.
 */

const FIELD_TYPES: ReadonlySet<string> = new Set<FieldType>(["null", "bool", "int", "float", "string", "array", "object", "variant"]);

/** The canonical JSON text of `schema`. */
export function canonicalSchemaJson(schema: Schema): string {
  const fields = [...schema.fields].sort((a, b) => comparePaths(a.path, b.path));
  const fieldTexts = fields.map(
    (f) =>
      `{"id":${f.id},"nullable":${f.nullable},"path":[${f.path.map((k) => JSON.stringify(k)).join(",")}],` +
      `"required":${f.required},"type":${JSON.stringify(f.type)}` +
      (f.variantTypes === undefined ? "}" : `,"variantTypes":[${canonicalMembers(f.variantTypes).map((t) => `"${t}"`).join(",")}]}`),
  );
  return (
    `{"fields":[${fieldTexts.join(",")}],"formatVersion":${schema.formatVersion},"locked":${schema.locked},` +
    `"nextFieldId":${schema.nextFieldId},"version":${schema.version}}`
  );
}

/** Member types in the canonical `MEMBER_TYPES` order. */
function canonicalMembers(members: readonly FieldType[]): FieldType[] {
  return MEMBER_TYPES.filter((t) => members.includes(t));
}

/** Orders paths key by key (UTF-16 code units); a path sorts before the paths below it. */
export function comparePaths(a: readonly string[], b: readonly string[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

/** `"sha256:<64 hex digits>"` of the UTF-8 canonical JSON (Web Crypto: Workers and Node 20). */
export async function schemaHash(schema: Schema): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalSchemaJson(schema));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
  return `sha256:${hex}`;
}

/** Parses schema JSON text; see {@link checkSchema} for what is refused. */
export function parseSchema(text: string): Schema {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EvoDBError("CORRUPT_METADATA", `Schema JSON does not parse: ${(error as Error).message}`, { cause: error });
  }
  return checkSchema(value);
}

function corrupt(reason: string): EvoDBError {
  return new EvoDBError("CORRUPT_METADATA", `Invalid schema: ${reason} (docs/schema.md)`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

/**
 * Checks that `value` is a schema this build understands and returns it as a {@link Schema} (only
 * the defined properties). Throws `UNSUPPORTED_VERSION` for another `formatVersion`, and
 * `CORRUPT_METADATA` for anything malformed: bad types, duplicate ids or paths, ids not below
 * `nextFieldId`, a field before its parent, or a parent that cannot hold objects.
 */
export function checkSchema(value: unknown): Schema {
  if (!isObject(value)) throw corrupt("not a JSON object");
  if (value.formatVersion !== SCHEMA_FORMAT_VERSION) {
    if (typeof value.formatVersion === "number") {
      throw new EvoDBError("UNSUPPORTED_VERSION", `Schema format version ${value.formatVersion} is not supported (this build reads ${SCHEMA_FORMAT_VERSION})`);
    }
    throw corrupt("formatVersion is missing");
  }
  const { version, locked, nextFieldId, fields } = value;
  if (!isPositiveInteger(version)) throw corrupt("version must be an integer >= 1");
  if (typeof locked !== "boolean") throw corrupt("locked must be a boolean");
  if (!isPositiveInteger(nextFieldId)) throw corrupt("nextFieldId must be an integer >= 1");
  if (!Array.isArray(fields)) throw corrupt("fields must be an array");
  const ids = new Set<number>();
  const byName = new Map<string, SchemaField>();
  const checked: SchemaField[] = [];
  for (const [index, raw] of fields.entries()) {
    if (!isObject(raw)) throw corrupt(`fields[${index}] is not an object`);
    const { id, path, type, nullable, required } = raw;
    if (!isPositiveInteger(id) || id >= nextFieldId) throw corrupt(`fields[${index}].id must be an integer in [1, nextFieldId)`);
    if (ids.has(id)) throw corrupt(`field id ${id} is used twice`);
    if (!Array.isArray(path) || !path.every((k) => typeof k === "string")) throw corrupt(`fields[${index}].path must be an array of strings`);
    if (typeof type !== "string" || !FIELD_TYPES.has(type)) throw corrupt(`fields[${index}].type ${JSON.stringify(type)} is unknown`);
    if (typeof nullable !== "boolean" || typeof required !== "boolean") throw corrupt(`fields[${index}].nullable and .required must be booleans`);
    const name = pathToName(path as string[]);
    if (byName.has(name)) throw corrupt(`path ${JSON.stringify(name)} appears twice`);
    if (path.length > 0) {
      const parent = byName.get(pathToName((path as string[]).slice(0, -1)));
      if (parent === undefined) throw corrupt(`field ${JSON.stringify(name)} comes before or without its parent`);
      if (parent.type !== "object" && parent.type !== "variant") throw corrupt(`the parent of ${JSON.stringify(name)} is not an object field`);
    }
    const variantTypes = checkVariantTypes(raw.variantTypes, type as FieldType, index);
    const field: SchemaField =
      variantTypes === undefined
        ? { id, path: [...(path as string[])], type: type as FieldType, nullable, required }
        : { id, path: [...(path as string[])], type: type as FieldType, variantTypes, nullable, required };
    ids.add(id);
    byName.set(name, field);
    checked.push(field);
  }
  return { formatVersion: SCHEMA_FORMAT_VERSION, version, locked, nextFieldId, fields: checked };
}

/** Validates an optional `variantTypes` list: only on variants, known member types, >= 2, normalised. */
function checkVariantTypes(value: unknown, type: FieldType, index: number): FieldType[] | undefined {
  if (value === undefined) return undefined;
  const where = `fields[${index}].variantTypes`;
  if (type !== "variant") throw corrupt(`${where} is only allowed on variant fields`);
  if (!Array.isArray(value) || !value.every((t) => typeof t === "string" && MEMBER_TYPES.includes(t as FieldType))) {
    throw corrupt(`${where} must list member types (${MEMBER_TYPES.join(", ")})`);
  }
  const members = value as FieldType[];
  const shape = shapeOfTypeSet(typeSetOf({ type: "variant", variantTypes: members }));
  if (new Set(members).size !== members.length || shape.variantTypes === undefined || shape.variantTypes.length !== members.length) {
    throw corrupt(`${where} must hold at least two distinct members, and not int next to float`);
  }
  return canonicalMembers(members);
}
