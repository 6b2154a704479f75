import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { randomDocuments, Random } from "@evodb/test-utils";
import {
  assertValid,
  canonicalSchemaJson,
  checkSchema,
  EvoDBError,
  inferSchema,
  isEvoDBError,
  parseSchema,
  schemaHash,
  validate,
  type JsonValue,
  type Schema,
} from "../src/index";

const schema: Schema = {
  formatVersion: 1,
  version: 3,
  locked: true,
  nextFieldId: 9,
  fields: [
    { id: 1, path: [], type: "object", nullable: false, required: true },
    { id: 2, path: ["id"], type: "int", nullable: false, required: true },
    { id: 3, path: ["score"], type: "float", nullable: true, required: false },
    { id: 4, path: ["name"], type: "string", nullable: false, required: true },
    { id: 5, path: ["user"], type: "object", nullable: false, required: false },
    { id: 6, path: ["user", "age"], type: "int", nullable: false, required: true },
    { id: 7, path: ["any"], type: "variant", nullable: false, required: false },
    { id: 8, path: ["tags"], type: "array", nullable: false, required: false },
  ],
};

describe("validate (locked mode)", { timeout: 300_000 }, () => {
  it("accepts conforming documents, ints in float fields, bigints in int fields, anything in variants", () => {
    const docs: JsonValue[] = [
      { id: 1, name: "a" },
      { id: 2n ** 64n, name: "b", score: 3, user: { age: 4 }, any: { deep: [1] }, tags: [] },
      { id: -5, name: "", score: null, any: null, tags: [{ x: 1 }] },
    ];
    for (const doc of docs) expect(validate(schema, doc)).toEqual([]);
  });

  it("returns every violation with path, expected and actual type", () => {
    const doc: JsonValue = { id: 1.5, score: "high", user: { age: null, extra: 1 }, tags: {}, nope: true };
    expect(validate(schema, doc)).toEqual([
      { path: ["id"], expected: "int", actual: "float" },
      { path: ["score"], expected: "float or null", actual: "string" },
      { path: ["user", "age"], expected: "int", actual: "null" },
      { path: ["user", "extra"], expected: "no field", actual: "int" },
      { path: ["tags"], expected: "array", actual: "object" },
      { path: ["nope"], expected: "no field", actual: "bool" },
      { path: ["name"], expected: "string", actual: "missing" },
    ]);
  });

  it("a variant with member types accepts only those (null only if nullable)", () => {
    const listed = inferSchema([{ v: 1 }, { v: "x" }]);
    expect(validate(listed, { v: 2n ** 70n })).toEqual([]);
    expect(validate(listed, { v: "y" })).toEqual([]);
    expect(validate(listed, { v: true })).toEqual([{ path: ["v"], expected: "int or string", actual: "bool" }]);
    expect(validate(listed, { v: null })).toEqual([{ path: ["v"], expected: "int or string", actual: "null" }]);
    expect(validate(listed, { v: 1.5 })).toEqual([{ path: ["v"], expected: "int or string", actual: "float" }]);
  });

  it("checks the root and treats -0 as a float", () => {
    expect(validate(schema, [1])).toEqual([{ path: [], expected: "object", actual: "array" }]);
    expect(validate(schema, { id: -0, name: "x" })).toEqual([{ path: ["id"], expected: "int", actual: "float" }]);
    const empty = inferSchema([]);
    expect(validate(empty, {})).toEqual([{ path: [], expected: "no field", actual: "object" }]);
  });

  it("assertValid throws SCHEMA_MISMATCH naming every violation", () => {
    expect(() => assertValid(schema, { id: 1, name: "ok" })).not.toThrow();
    try {
      assertValid(schema, { id: "x", user: { age: "y" } });
      expect.fail("should throw");
    } catch (error) {
      expect(isEvoDBError(error, "SCHEMA_MISMATCH")).toBe(true);
      const e = error as EvoDBError;
      expect(e.message).toContain('"id": expected int, got string');
      expect(e.message).toContain('"user.age": expected int, got string');
      expect(e.message).toContain('"name": expected string, got missing');
      expect((e.details as { violations: unknown[] }).violations).toHaveLength(3);
    }
  });

  it("rejects documents of a different shape on random data (seeded)", () => {
    const docs = randomDocuments(31, 2_000);
    const narrow = inferSchema([{ id: 1, name: "a" }]);
    let refused = 0;
    for (const doc of docs) if (validate(narrow, doc).length > 0) refused++;
    // Random documents almost never have exactly {id: int, name: string}.
    expect(refused).toBeGreaterThan(1_900);
  });
});

describe("canonical JSON and hash", { timeout: 300_000 }, () => {
  it("is the same text and hash whatever the key order and field order", async () => {
    const reordered = JSON.parse(
      JSON.stringify({
        nextFieldId: 9,
        fields: [...schema.fields].reverse().map((f) => ({ required: f.required, type: f.type, path: f.path, nullable: f.nullable, id: f.id })),
        locked: true,
        version: 3,
        formatVersion: 1,
      }),
    ) as Schema;
    expect(canonicalSchemaJson(reordered)).toBe(canonicalSchemaJson(schema));
    expect(await schemaHash(reordered)).toBe(await schemaHash(schema));
  });

  it("golden canonical text of format version 1 (written by hand from docs/schema.md section 7)", () => {
    expect(canonicalSchemaJson(schema)).toBe(
      '{"fields":[' +
        '{"id":1,"nullable":false,"path":[],"required":true,"type":"object"},' +
        '{"id":7,"nullable":false,"path":["any"],"required":false,"type":"variant"},' +
        '{"id":2,"nullable":false,"path":["id"],"required":true,"type":"int"},' +
        '{"id":4,"nullable":false,"path":["name"],"required":true,"type":"string"},' +
        '{"id":3,"nullable":true,"path":["score"],"required":false,"type":"float"},' +
        '{"id":8,"nullable":false,"path":["tags"],"required":false,"type":"array"},' +
        '{"id":5,"nullable":false,"path":["user"],"required":false,"type":"object"},' +
        '{"id":6,"nullable":false,"path":["user","age"],"required":true,"type":"int"}' +
        '],"formatVersion":1,"locked":true,"nextFieldId":9,"version":3}',
    );
  });

  it("hashes the canonical UTF-8 text with SHA-256 (checked against node:crypto)", async () => {
    const text = canonicalSchemaJson(schema);
    expect(text.startsWith('{"fields":[{"id":1,"nullable":false,"path":[],"required":true,"type":"object"}')).toBe(true);
    expect(await schemaHash(schema)).toBe(`sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`);
  });

  it("writes variant member types in canonical order and reads them back", () => {
    const listed = { ...schema, fields: schema.fields.map((f) => (f.id === 7 ? { ...f, variantTypes: ["string", "bool"] as const } : f)) } as Schema;
    const text = canonicalSchemaJson(listed);
    expect(text).toContain('"path":["any"],"required":false,"type":"variant","variantTypes":["bool","string"]}');
    expect(parseSchema(text).fields.find((f) => f.id === 7)?.variantTypes).toEqual(["bool", "string"]);
  });

  it("different schemas hash differently", async () => {
    const hashes = new Set<string>();
    hashes.add(await schemaHash(schema));
    hashes.add(await schemaHash({ ...schema, version: 4 }));
    hashes.add(await schemaHash({ ...schema, locked: false }));
    hashes.add(await schemaHash({ ...schema, fields: schema.fields.map((f) => (f.id === 3 ? { ...f, nullable: false } : f)) }));
    hashes.add(await schemaHash({ ...schema, fields: schema.fields.map((f) => (f.id === 4 ? { ...f, path: ["name2"] } : f)) }));
    expect(hashes.size).toBe(5);
  });

  it("parseSchema reads the canonical form back, for random inferred schemas", () => {
    for (const seed of [1, 2, 3, 4]) {
      const inferred = inferSchema(randomDocuments(seed, 300));
      const back = parseSchema(canonicalSchemaJson(inferred));
      expect(canonicalSchemaJson(back)).toBe(canonicalSchemaJson(inferred));
      expect(new Map(back.fields.map((f) => [f.id, f]))).toEqual(new Map(inferred.fields.map((f) => [f.id, f])));
    }
  });
});

describe("checkSchema refuses what it does not understand", { timeout: 300_000 }, () => {
  const valid = JSON.parse(canonicalSchemaJson(schema)) as Record<string, unknown>;
  const withFields = (mutate: (fields: Record<string, unknown>[]) => void): unknown => {
    const copy = JSON.parse(JSON.stringify(valid)) as { fields: Record<string, unknown>[] };
    mutate(copy.fields);
    return copy;
  };

  it("unknown format versions give UNSUPPORTED_VERSION", () => {
    try {
      checkSchema({ ...valid, formatVersion: 2 });
      expect.fail("should throw");
    } catch (error) {
      expect(isEvoDBError(error, "UNSUPPORTED_VERSION")).toBe(true);
    }
  });

  it("malformed schemas give CORRUPT_METADATA", () => {
    const bad: unknown[] = [
      null,
      [],
      { ...valid, formatVersion: undefined },
      { ...valid, version: 0 },
      { ...valid, locked: "yes" },
      { ...valid, nextFieldId: 5 },
      { ...valid, fields: {} },
      withFields((f) => (f[1]!.id = 3)),
      withFields((f) => (f[1]!.type = "date")),
      withFields((f) => (f[1]!.path = [1])),
      withFields((f) => (f[1]!.nullable = 1)),
      withFields((f) => f.push({ ...f[1]!, id: 8 })),
      withFields((f) => f.reverse()),
      withFields((f) => f.push({ id: 8, path: ["id", "x"], type: "int", nullable: false, required: false })),
      withFields((f) => (f[2]!.variantTypes = ["int", "string"])),
      withFields((f) => (f[1]!.variantTypes = ["int"])),
      withFields((f) => (f[1]!.variantTypes = ["int", "date"])),
      withFields((f) => (f[1]!.variantTypes = ["int", "float"])),
      withFields((f) => (f[1]!.variantTypes = ["int", "int", "string"])),
      withFields((f) => (f[1]!.variantTypes = "int")),
    ];
    for (const value of bad) {
      try {
        checkSchema(value);
        expect.fail(`accepted ${JSON.stringify(value)}`);
      } catch (error) {
        expect(isEvoDBError(error, "CORRUPT_METADATA"), String(error)).toBe(true);
      }
    }
    try {
      parseSchema("{not json");
      expect.fail("should throw");
    } catch (error) {
      expect(isEvoDBError(error, "CORRUPT_METADATA")).toBe(true);
    }
  });

  it("random mutations of a schema text give an EvoDBError or a self-consistent schema, never a crash", () => {
    const random = new Random(5);
    const text = canonicalSchemaJson(schema);
    for (let i = 0; i < 2_000; i++) {
      const chars = text.split("");
      chars[random.int(0, chars.length - 1)] = String.fromCharCode(random.int(0x20, 0x7e));
      const mutated = chars.join("");
      try {
        const parsed = parseSchema(mutated);
        // Accepted mutations must still be internally consistent schemas.
        expect(canonicalSchemaJson(checkSchema(JSON.parse(canonicalSchemaJson(parsed))))).toBe(canonicalSchemaJson(parsed));
      } catch (error) {
        expect(isEvoDBError(error), String(error)).toBe(true);
      }
    }
  });
});
