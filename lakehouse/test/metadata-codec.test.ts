import { readFileSync } from "node:fs";
import { EvoDBError, isEvoDBError } from "@evodb/core";
import { Random, evodbErrorCode } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { parseSchemaFile, parseSnapshot, parseTableMetadata, serializeSchemaFile, serializeSnapshot, serializeTableMetadata } from "../src/index";

const pointerText = readFileSync(new URL("./fixtures/pointer-v1.json", import.meta.url), "utf8");
const snapshotText = readFileSync(new URL("./fixtures/snapshot-v1.json", import.meta.url), "utf8");

const codeOf = evodbErrorCode;

function mutated(text: string, change: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(text) as Record<string, any>;
  change(doc);
  return JSON.stringify(doc);
}

describe("golden files (format version 1)", () => {
  it("reads the pointer fixture and writes it back byte for byte", () => {
    const meta = parseTableMetadata(pointerText, "pointer-v1.json");
    expect(meta.name).toBe("orders");
    expect(meta.keyPath).toEqual(["id"]);
    expect(meta.currentSnapshotId).toBe(2);
    expect(meta.snapshots.map((s) => [s.snapshotId, s.parentId, s.operation])).toEqual([[1, null, "append"], [2, 1, "delete"]]);
    expect(meta.partitionSpec.fields[0]).toEqual({ name: "day", sourcePath: ["ts"], transform: "day" });
    expect(serializeTableMetadata(meta)).toBe(pointerText);
  });

  it("reads the snapshot fixture and writes it back byte for byte, keeping unknown statistics", () => {
    const snapshot = parseSnapshot(snapshotText, "snapshot-v1.json");
    expect(snapshot.lastLsn).toBe(42);
    expect(snapshot.dataFiles[0]!.columnStats.name!.futureField).toEqual([1, 2]);
    expect(snapshot.dataFiles[0]!.lsnRange).toEqual({ min: 33, max: 42 });
    expect(snapshot.deleteFiles[0]).toMatchObject({ kind: "position", dataFile: "data/day=2026-01-01/f1.evodb" });
    expect(serializeSnapshot(snapshot)).toBe(snapshotText);
  });
});

describe("refusing bad metadata", () => {
  it("refuses an unknown format version with UNSUPPORTED_VERSION", () => {
    expect(codeOf(() => parseTableMetadata(mutated(pointerText, (d) => (d.formatVersion = 2)), "p"))).toBe("UNSUPPORTED_VERSION");
    expect(codeOf(() => parseSnapshot(mutated(snapshotText, (d) => (d.formatVersion = 99)), "s"))).toBe("UNSUPPORTED_VERSION");
  });

  it.each<[string, (d: Record<string, any>) => void]>([
    ["not the table format", (d) => (d.format = "evodb-snapshot")],
    ["a missing tableId", (d) => delete d.tableId],
    ["a negative version", (d) => (d.version = -1)],
    ["a fractional snapshot id", (d) => (d.snapshots[0].snapshotId = 1.5)],
    ["an unknown operation", (d) => (d.snapshots[0].operation = "truncate")],
    ["a snapshot path that escapes", (d) => (d.snapshots[0].path = "snapshots/../../other/metadata/current.json")],
    ["a snapshot path in another directory", (d) => (d.snapshots[0].path = "data/x.json")],
    ["a broken parent chain", (d) => (d.snapshots[1].parentId = 7)],
    ["a current snapshot that is not the last", (d) => (d.currentSnapshotId = 1)],
    ["a current schema that does not exist", (d) => (d.currentSchemaId = 5)],
    ["a hostile partition field", (d) => (d.partitionSpec.fields[0].name = "../x")],
    ["an unknown transform", (d) => (d.partitionSpec.fields[0].transform = "bucket")],
    ["a non-string property", (d) => (d.properties.owner = 5)],
    ["a summary counter that is a string", (d) => (d.snapshots[0].summary.totalRows = "10")],
    ["a schema path that escapes", (d) => (d.schemas[0].path = "schemas/../../x.json")],
    ["a schema path in another directory", (d) => (d.schemas[0].path = "data/x.json")],
    ["a missing format tag", (d) => delete d.format],
  ])("refuses a pointer with %s", (_name, change) => {
    expect(codeOf(() => parseTableMetadata(mutated(pointerText, change), "p"))).toBe("CORRUPT_METADATA");
  });

  it.each<[string, (d: Record<string, any>) => void]>([
    ["a data path outside data/", (d) => (d.dataFiles[0].path = "data/../metadata/current.json")],
    ["an absolute data path", (d) => (d.dataFiles[0].path = "/etc/passwd")],
    ["a delete vector target outside data/", (d) => (d.deleteFiles[0].dataFile = "deletes/x")],
    ["an unknown delete kind", (d) => (d.deleteFiles[0].kind = "bitmap")],
    ["a non-scalar min", (d) => (d.dataFiles[0].columnStats.id.min = { a: 1 })],
    ["a negative null count", (d) => (d.dataFiles[0].columnStats.id.nullCount = -1)],
    ["an inverted LSN range", (d) => (d.dataFiles[0].lsnRange = { min: 5, max: 4 })],
    ["a partition value that is an object", (d) => (d.dataFiles[0].partition.day = {})],
    ["a missing dataFiles list", (d) => delete d.dataFiles],
    ["an infinite-looking row count", (d) => (d.dataFiles[0].rowCount = 1e300)],
  ])("refuses a snapshot with %s", (_name, change) => {
    expect(codeOf(() => parseSnapshot(mutated(snapshotText, change), "s"))).toBe("CORRUPT_METADATA");
  });

  it("refuses roots that are not objects", () => {
    for (const text of ["[]", "null", "1", '"x"', ""]) {
      expect(codeOf(() => parseTableMetadata(text, "p"))).toBe("CORRUPT_METADATA");
      expect(codeOf(() => parseSnapshot(text, "s"))).toBe("CORRUPT_METADATA");
    }
  });

  it("gives CORRUPT_METADATA for every truncation", () => {
    for (let n = 0; n < pointerText.length; n++) expect(codeOf(() => parseTableMetadata(pointerText.slice(0, n), "p"))).toBe("CORRUPT_METADATA");
    for (let n = 0; n < snapshotText.length; n++) expect(codeOf(() => parseSnapshot(snapshotText.slice(0, n), "s"))).toBe("CORRUPT_METADATA");
  });

  it("never crashes on randomly mutated bytes (seeded)", () => {
    const random = new Random(0x1a4e);
    for (let round = 0; round < 2000; round++) {
      const source = round % 2 === 0 ? pointerText : snapshotText;
      const chars = source.split("");
      for (let k = random.int(1, 4); k > 0; k--) chars[random.int(0, chars.length - 1)] = String.fromCharCode(random.int(32, 126));
      const text = chars.join("");
      const code = codeOf(() => (round % 2 === 0 ? parseTableMetadata(text, "p") : parseSnapshot(text, "s")));
      expect(["OK", "CORRUPT_METADATA", "UNSUPPORTED_VERSION"]).toContain(code);
    }
  });

  it("reads schema files and refuses bad ones", () => {
    const good = serializeSchemaFile({ formatVersion: 1, fields: [{ id: 1, path: ["a"] }] });
    expect(good).toBe('{"format":"evodb-schema","formatVersion":1,"schema":{"formatVersion":1,"fields":[{"id":1,"path":["a"]}]}}');
    expect(parseSchemaFile(good, "s")).toEqual({ formatVersion: 1, fields: [{ id: 1, path: ["a"] }] });
    expect(codeOf(() => parseSchemaFile(good.replace('"formatVersion":1,"schema"', '"formatVersion":3,"schema"'), "s"))).toBe("UNSUPPORTED_VERSION");
    const deep = serializeSchemaFile(JSON.parse("[".repeat(100) + "]".repeat(100)));
    for (const text of [deep, "", "[]", good.replace("evodb-schema", "evodb-table"), good.slice(0, -1)]) expect(codeOf(() => parseSchemaFile(text, "s"))).toBe("CORRUPT_METADATA");
  });

  it("names the file and field in the error", () => {
    try {
      parseSnapshot(mutated(snapshotText, (d) => (d.dataFiles[0].rowCount = -3)), "t/snapshots/x.json");
      throw new Error("expected an error");
    } catch (error) {
      expect(isEvoDBError(error, "CORRUPT_METADATA")).toBe(true);
      expect((error as EvoDBError).message).toContain("t/snapshots/x.json");
      expect((error as EvoDBError).details).toMatchObject({ field: "dataFiles[0].rowCount" });
    }
  });
});
