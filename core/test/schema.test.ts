import { describe, expect, it } from "vitest";
import { randomDocuments, randomEventDocuments } from "@evodb/test-utils";
import {
  covers,
  diffSchemas,
  dropField,
  inferSchema,
  isEvoDBError,
  mergeSchemas,
  pathMapping,
  pathToName,
  renameField,
  setLocked,
  shred,
  validate,
  widenShape,
  widenType,
  type FieldType,
  type JsonValue,
  type Schema,
  type SchemaField,
} from "../src/index";

function byName(schema: Schema): Map<string, Omit<SchemaField, "id">> {
  return new Map(schema.fields.map((f) => [pathToName(f.path), { path: f.path, type: f.type, nullable: f.nullable, required: f.required }]));
}

function field(schema: Schema, name: string): SchemaField {
  const found = schema.fields.find((f) => pathToName(f.path) === name);
  if (found === undefined) throw new Error(`no field ${name}`);
  return found;
}

function expectCode(run: () => unknown, code: string): void {
  try {
    run();
  } catch (error) {
    expect(isEvoDBError(error, code as never), String(error)).toBe(true);
    return;
  }
  expect.fail(`expected ${code}`);
}

const PROPERTY_TIMEOUT_MS = 300_000;

describe("inferSchema", { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it("infers type, nullable and required per path", () => {
    const docs: JsonValue[] = [
      { a: 1, b: "x", c: { d: true }, e: [1] },
      { a: 2.5, c: { d: null }, e: "s" },
      { a: 3, b: null, c: { d: false }, big: 2n ** 64n },
    ];
    const schema = inferSchema(docs);
    expect(schema).toMatchObject({ formatVersion: 1, version: 1, locked: false, nextFieldId: 8 });
    expect(schema.fields.map((f) => [f.id, pathToName(f.path), f.type, f.nullable, f.required])).toEqual([
      [1, "", "object", false, true],
      [2, "a", "float", false, true],
      [3, "b", "string", true, false],
      [4, "c", "object", false, true],
      [5, "c.d", "bool", true, true],
      [6, "e", "variant", false, false],
      [7, "big", "int", false, false],
    ]);
    expect(field(schema, "e").variantTypes).toEqual(["string", "array"]);
    expect(field(schema, "a").variantTypes).toBeUndefined();
  });

  it("refuses documents nested deeper than 1,000 levels with LIMIT_EXCEEDED", () => {
    const nest = (levels: number): JsonValue => {
      let doc: JsonValue = 1;
      for (let i = 0; i < levels; i++) doc = { k: doc };
      return doc;
    };
    expect(inferSchema([nest(1_000)]).fields).toHaveLength(1_001);
    expectCode(() => inferSchema([nest(1_001)]), "LIMIT_EXCEEDED");
  });

  it("gives an empty schema for no documents and a null type for all-null paths", () => {
    expect(inferSchema([]).fields).toEqual([]);
    expect(field(inferSchema([{ n: null }, { n: null }]), "n")).toMatchObject({ type: "null", nullable: true, required: true });
  });

  it("infers the same schema from a shredded batch as from its documents", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    for (const seed of [1, 2, 3]) {
      const docs = randomDocuments(seed, 1_000);
      // Paths past the path cap live in overflow and are inferred after the columns, so the field
      // order (and so the ids) can differ; the fields themselves cannot.
      expect(byName(inferSchema(shred(docs)))).toEqual(byName(inferSchema(docs)));
      expect(byName(inferSchema(shred(docs, { maxPaths: 10 })))).toEqual(byName(inferSchema(docs)));
    }
    const events = randomEventDocuments(5, 2_000);
    expect(inferSchema(shred(events))).toEqual(inferSchema(events));
  });

  it("accepts every document it was inferred from (seeded property)", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    const docs = randomDocuments(8, 5_000);
    const schema = inferSchema(docs);
    for (const [i, doc] of docs.entries()) {
      const violations = validate(schema, doc);
      if (violations.length > 0) expect.fail(`doc ${i}: ${JSON.stringify(violations[0])}`);
    }
  });
});

describe("widening and merging", () => {
  it("widens types along the lattice", () => {
    const cases: [FieldType, FieldType, FieldType][] = [
      ["int", "int", "int"],
      ["int", "float", "float"],
      ["float", "int", "float"],
      ["null", "string", "string"],
      ["bool", "null", "bool"],
      ["int", "string", "variant"],
      ["object", "array", "variant"],
      ["variant", "int", "variant"],
    ];
    for (const [a, b, widened] of cases) expect(widenType(a, b), `${a} + ${b}`).toBe(widened);
  });

  it("widens variants by the union of their member types, folding int into float", () => {
    const intOrString = { type: "variant", variantTypes: ["int", "string"] } as const;
    expect(widenShape(intOrString, { type: "bool" })).toEqual({ type: "variant", variantTypes: ["bool", "int", "string"] });
    expect(widenShape(intOrString, { type: "float" })).toEqual({ type: "variant", variantTypes: ["float", "string"] });
    expect(widenShape(intOrString, { type: "null" })).toEqual(intOrString);
    expect(widenShape(intOrString, { type: "variant" })).toEqual({ type: "variant" });
    expect(widenShape({ type: "int" }, { type: "string" })).toEqual(intOrString);
    expect(covers({ type: "variant", variantTypes: ["float", "string"] }, intOrString)).toBe(true);
    expect(covers(intOrString, { type: "variant", variantTypes: ["float", "string"] })).toBe(false);
    expect(covers({ type: "variant" }, intOrString)).toBe(true);
    expect(covers(intOrString, { type: "variant" })).toBe(false);
  });

  it("keeps field ids, gives new fields new ids, widens and bumps the version", () => {
    const v1 = inferSchema([{ id: 1, name: "a", user: { age: 3 } }]);
    const v2 = mergeSchemas(v1, inferSchema([{ id: 2.5, name: 7, user: { age: null, city: "x" }, extra: true }]));
    expect(v2.version).toBe(2);
    for (const f of v1.fields) expect(field(v2, pathToName(f.path)).id).toBe(f.id);
    expect(field(v2, "id").type).toBe("float");
    expect(field(v2, "name")).toMatchObject({ type: "variant", variantTypes: ["int", "string"] });
    expect(field(v2, "user.age")).toMatchObject({ type: "int", nullable: true, required: true });
    expect(field(v2, "user.city")).toMatchObject({ id: 6, required: false });
    expect(field(v2, "extra")).toMatchObject({ id: 7, required: false });
    expect(v2.nextFieldId).toBe(8);
    expect(diffSchemas(v1, v2).classification).toBe("widening");
  });

  it("returns the same schema when the new documents fit it", () => {
    const v1 = inferSchema([{ a: 1.5, b: null }, { a: 2 }]);
    expect(mergeSchemas(v1, inferSchema([{ a: 3, b: null }]))).toBe(v1);
  });

  it("makes a field optional when later documents lack it, but not when its parent is absent", () => {
    const v1 = inferSchema([{ a: 1, o: { x: 1 } }]);
    const v2 = mergeSchemas(v1, inferSchema([{ o: {} }]));
    expect(field(v2, "a").required).toBe(false);
    expect(field(v2, "o.x").required).toBe(false);
    const v3 = mergeSchemas(v1, inferSchema([{ a: 2 }]));
    expect(field(v3, "o").required).toBe(false);
    expect(field(v3, "o.x").required).toBe(true);
  });

  it("a merged schema accepts every document of both sides (seeded property)", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    const first = randomDocuments(21, 1_500);
    const second = randomDocuments(22, 1_500, { maxDepth: 4 });
    const merged = mergeSchemas(inferSchema(first), inferSchema(second));
    const ids = merged.fields.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const doc of [...first, ...second]) {
      const violations = validate(merged, doc);
      if (violations.length > 0) expect.fail(JSON.stringify(violations[0]));
    }
  });
});

describe("versions, renames and locking", () => {
  const v1 = inferSchema([{ user: { name: "a", tags: ["x"] }, n: 1 }]);

  it("a rename keeps the field id and maps the old path to the new one", () => {
    const v2 = renameField(v1, ["user", "name"], ["user", "fullName"]);
    expect(v2.version).toBe(2);
    expect(field(v2, "user.fullName").id).toBe(field(v1, "user.name").id);
    const diff = diffSchemas(v1, v2);
    expect(diff.changes).toEqual([
      { kind: "renamed", fieldId: field(v1, "user.name").id, path: ["user", "fullName"], fromPath: ["user", "name"], breaking: true },
    ]);
    expect(diff.classification).toBe("breaking");
    expect(pathMapping(v1, v2).get("user.name")).toEqual(["user", "fullName"]);
    expect(pathMapping(v1, v2).get("n")).toEqual(["n"]);
  });

  it("renaming an object moves its subtree with the same ids", () => {
    const v2 = renameField(v1, ["user"], ["customer"]);
    expect(field(v2, "customer.tags").id).toBe(field(v1, "user.tags").id);
    expect(v2.fields.map((f) => pathToName(f.path))).toEqual(["", "customer", "customer.name", "customer.tags", "n"]);
  });

  it("refuses renames onto existing paths, into itself, of the root, or of unknown fields", () => {
    expectCode(() => renameField(v1, ["n"], ["user"]), "INVALID_ARGUMENT");
    expectCode(() => renameField(v1, ["user"], ["user", "inner"]), "INVALID_ARGUMENT");
    expectCode(() => renameField(v1, ["n"], ["n", "x"]), "INVALID_ARGUMENT");
    expectCode(() => renameField(v1, [], ["x"]), "INVALID_ARGUMENT");
    expectCode(() => renameField(v1, ["nope"], ["x"]), "NOT_FOUND");
  });

  it("dropField removes a subtree and never reuses its ids", () => {
    const v2 = dropField(v1, ["user"]);
    expect(v2.fields.map((f) => pathToName(f.path))).toEqual(["", "n"]);
    const v3 = mergeSchemas(v2, inferSchema([{ user: 1 }]));
    expect(field(v3, "user").id).toBe(v1.nextFieldId);
    expect(diffSchemas(v1, v2).changes.map((c) => [c.kind, pathToName(c.path)])).toEqual([
      ["removed", "user"],
      ["removed", "user.name"],
      ["removed", "user.tags"],
    ]);
  });

  it("setLocked changes the mode and the version only when it changes", () => {
    const locked = setLocked(v1, true);
    expect(locked).toMatchObject({ locked: true, version: 2 });
    expect(setLocked(locked, true)).toBe(locked);
  });
});

describe("diffSchemas", () => {
  const base: Schema = {
    formatVersion: 1,
    version: 1,
    locked: false,
    nextFieldId: 4,
    fields: [
      { id: 1, path: [], type: "object", nullable: false, required: true },
      { id: 2, path: ["a"], type: "int", nullable: false, required: true },
      { id: 3, path: ["b"], type: "float", nullable: true, required: false },
    ],
  };
  const withFields = (fields: SchemaField[], nextFieldId = 5): Schema => ({ ...base, version: 2, nextFieldId, fields });
  const [root, a, b] = base.fields as [SchemaField, SchemaField, SchemaField];

  it("classifies no change, additive, widening and breaking changes", () => {
    expect(diffSchemas(base, base)).toEqual({ changes: [], classification: "none" });
    const added = withFields([root, a, b, { id: 4, path: ["c"], type: "string", nullable: false, required: false }]);
    expect(diffSchemas(base, added).classification).toBe("additive");
    expect(diffSchemas(base, added).changes[0]).toMatchObject({ kind: "added", fieldId: 4, breaking: false });
    const widened = withFields([root, { ...a, type: "float", required: false }, b]);
    expect(diffSchemas(base, widened)).toMatchObject({ classification: "widening", changes: [{ kind: "widened", fieldId: 2 }] });
    const narrowedType = withFields([root, a, { ...b, type: "int" }]);
    expect(diffSchemas(base, narrowedType)).toMatchObject({ classification: "breaking", changes: [{ kind: "narrowed", fieldId: 3 }] });
    const narrowedNull = withFields([root, a, { ...b, nullable: false }]);
    expect(diffSchemas(base, narrowedNull).classification).toBe("breaking");
    const nowRequired = withFields([root, a, { ...b, required: true }]);
    expect(diffSchemas(base, nowRequired).classification).toBe("breaking");
    const removed = withFields([root, a]);
    expect(diffSchemas(base, removed)).toMatchObject({ classification: "breaking", changes: [{ kind: "removed", fieldId: 3 }] });
    const requiredAdded = withFields([root, a, b, { id: 4, path: ["c"], type: "int", nullable: false, required: true }]);
    expect(diffSchemas(base, requiredAdded).classification).toBe("breaking");
  });

  it("classifies added variant members as widening and dropped ones as breaking", () => {
    const two = withFields([root, a, { ...b, type: "variant", variantTypes: ["float", "string"] }]);
    const three = withFields([root, a, { ...b, type: "variant", variantTypes: ["bool", "float", "string"] }]);
    expect(diffSchemas(base, two)).toMatchObject({ classification: "widening", changes: [{ kind: "widened", fieldId: 3 }] });
    expect(diffSchemas(two, three).classification).toBe("widening");
    expect(diffSchemas(three, two)).toMatchObject({ classification: "breaking", changes: [{ kind: "narrowed", fieldId: 3 }] });
  });

  it("reports a rename and a widening of the same field as two changes", () => {
    const changed = withFields([root, { ...a, path: ["a2"], type: "variant" }, b]);
    expect(diffSchemas(base, changed).changes.map((c) => c.kind)).toEqual(["renamed", "widened"]);
  });
});
