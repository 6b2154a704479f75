import type { JsonValue } from "../column";
import { EvoDBError } from "../errors";
import { pathToName } from "../shred/path";
import { allowsType } from "./lattice";
import type { FieldType, Schema, SchemaField, SchemaViolation } from "./types";

/**
 * Locked-mode validation (docs/schema.md, "Validation"). A document is checked against the field
 * tree of the schema and every violation is collected, not just the first:
 * - a value whose type the field does not accept (`float` accepts ints; `int` accepts bigints; a
 *   `variant` accepts its `variantTypes`, or anything without them, and is not descended into);
 *   `null` where the field is not nullable;
 * - a required field missing from an object that its parent field describes;
 * - a member at a path the schema has no field for (`expected: "no field"`).
 * Below a value of the wrong type nothing more is reported (its members have no meaning there).
 */

interface FieldNode {
  readonly field: SchemaField;
  readonly children: Map<string, FieldNode>;
}

const compiled = new WeakMap<Schema, FieldNode | null>();

function compile(schema: Schema): FieldNode | null {
  let root = compiled.get(schema);
  if (root !== undefined) return root;
  const byName = new Map<string, FieldNode>();
  root = null;
  for (const field of schema.fields) {
    const node: FieldNode = { field, children: new Map() };
    byName.set(pathToName(field.path), node);
    if (field.path.length === 0) root = node;
    else byName.get(pathToName(field.path.slice(0, -1)))?.children.set(field.path[field.path.length - 1]!, node);
  }
  compiled.set(schema, root);
  return root;
}

/** Every way `doc` breaks `schema` (empty when it satisfies it). */
export function validate(schema: Schema, doc: JsonValue): SchemaViolation[] {
  const violations: SchemaViolation[] = [];
  const root = compile(schema);
  if (root === null) violations.push({ path: [], expected: "no field", actual: typeName(doc) });
  else checkValue(root, doc, [], violations);
  return violations;
}

/**
 * Throws `EvoDBError("SCHEMA_MISMATCH")` naming every violation (all of them in
 * `details.violations`) when `doc` breaks `schema`.
 */
export function assertValid(schema: Schema, doc: JsonValue): void {
  const violations = validate(schema, doc);
  if (violations.length === 0) return;
  const shown = violations.slice(0, 10).map((v) => `${JSON.stringify(pathToName(v.path))}: expected ${v.expected}, got ${v.actual}`);
  const more = violations.length > shown.length ? `; and ${violations.length - shown.length} more` : "";
  throw new EvoDBError(
    "SCHEMA_MISMATCH",
    `Document does not match locked schema version ${schema.version}: ${shown.join("; ")}${more}. ` +
      "Fix the document, or evolve the schema (unlock it, or add or widen the field).",
    { details: { schemaVersion: schema.version, violations: violations.map((v) => ({ ...v, path: [...v.path] })) } },
  );
}

/** The type name a value has in schema terms (`"null"` for null). */
export function typeName(value: JsonValue): FieldType {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "string";
    default:
      return Array.isArray(value) ? "array" : "object";
  }
}

function expectedOf(field: SchemaField): string {
  const type = field.variantTypes === undefined ? field.type : field.variantTypes.join(" or ");
  return field.nullable && field.type !== "null" ? `${type} or null` : type;
}

/** `path` is a shared stack, copied only when a violation is recorded. */
function checkValue(node: FieldNode, value: JsonValue, path: string[], out: SchemaViolation[]): void {
  const field = node.field;
  const actual = typeName(value);
  if (actual === "null") {
    const allowsAnything = field.type === "variant" && field.variantTypes === undefined;
    if (!field.nullable && field.type !== "null" && !allowsAnything) out.push({ path: [...path], expected: expectedOf(field), actual });
    return;
  }
  if (!allowsType(field, actual)) {
    out.push({ path: [...path], expected: expectedOf(field), actual });
    return;
  }
  if (actual !== "object" || field.type === "variant") return;
  const object = value as { [key: string]: JsonValue };
  for (const key in object) {
    const member = object[key];
    if (member === undefined) continue;
    path.push(key);
    const child = node.children.get(key);
    if (child === undefined) out.push({ path: [...path], expected: "no field", actual: typeName(member) });
    else checkValue(child, member, path, out);
    path.pop();
  }
  for (const [key, child] of node.children) {
    if (!child.field.required) continue;
    if (Object.prototype.hasOwnProperty.call(object, key) && object[key] !== undefined) continue;
    out.push({ path: [...path, key], expected: expectedOf(child.field), actual: "missing" });
  }
}
