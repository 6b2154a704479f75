import { isEvoDBError } from "@evodb/core";
import { describe, expect, it } from "vitest";
import { encodePartitionSegment, partitionedPath, tablePrefix, validatePartitionFieldName, validateRelativePath, validateRoot, validateTableName } from "../src/index";

function expectInvalidName(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(isEvoDBError(error, "INVALID_NAME"), String(error)).toBe(true);
    return;
  }
  throw new Error("expected INVALID_NAME");
}

/** Names an attacker (or a careless caller) might try, to climb out of the table prefix or confuse keys. */
const HOSTILE_NAMES = [
  "", ".", "..", "../x", "x/..", "a/b", "/abs", "abs/", "a\\b", "..\\x", "a\u0000b", "a\nb", "a\rb", "tab\t", "\u007f",
  " ", " a", "a b", "a..b", ".hidden", "-x", "é", "名前", "a%2f", "%2e%2e", "a:b", "a*b", "a?b", "a".repeat(129), "\ud800",
];

describe("table and root names", () => {
  it("accepts ordinary names", () => {
    for (const name of ["orders", "Orders_2026", "a", "a.b", "a-b", "_x", "9lives", "a".repeat(128)]) expect(validateTableName(name)).toBe(name);
    expect(tablePrefix("", "t")).toBe("t/");
    expect(tablePrefix("warehouse/tenant_1", "t")).toBe("warehouse/tenant_1/t/");
  });

  it.each(HOSTILE_NAMES)("refuses table name %j", (name) => {
    expectInvalidName(() => validateTableName(name));
    expectInvalidName(() => tablePrefix("root", name));
  });

  it.each(["/", "/a", "a/", "a//b", "a/../b", "..", "a/./b", "a\\b", "a/\u0000", "a/b c"])("refuses root %j", (root) => {
    expectInvalidName(() => validateRoot(root));
    expectInvalidName(() => tablePrefix(root, "t"));
  });

  it("refuses non-strings", () => {
    expectInvalidName(() => validateTableName(undefined as unknown as string));
    expectInvalidName(() => validateRoot(5 as unknown as string));
  });
});

describe("partition field names", () => {
  it("accepts identifiers and refuses anything else", () => {
    for (const name of ["day", "_x", "a1", "A_b"]) expect(validatePartitionFieldName(name)).toBe(name);
    for (const name of ["", "1a", "a=b", "a/b", "..", "a.b", "a-b", "a b", "a".repeat(65)]) expectInvalidName(() => validatePartitionFieldName(name));
  });
});

describe("relative file paths", () => {
  it("accepts paths under their directory", () => {
    expect(validateRelativePath("data/x.evodb", "data")).toBe("data/x.evodb");
    expect(validateRelativePath("data/day=2026-01-01/x.evodb", "data")).toBe("data/day=2026-01-01/x.evodb");
    expect(validateRelativePath("deletes/a.dv", "deletes")).toBe("deletes/a.dv");
  });

  it.each([
    "data", "data/", "data//x", "data/./x", "data/../metadata/current.json", "data/x/..", "/data/x", "DATA/x", "deletes/x",
    "data/x\u0000", "data/a b", "data\\..\\x", "data/..\\x", "data/x\n", "data/" + "a".repeat(201), "data/" + "a/".repeat(300) + "a",
    "metadata/current.json", "snapshots/x.json", "data/é",
  ])("refuses %j as a data path", (path) => {
    expectInvalidName(() => validateRelativePath(path, "data"));
  });
});

describe("partition directory segments", () => {
  it("percent-encodes everything that could form a separator or a dot segment", () => {
    expect(encodePartitionSegment("..")).toBe("%2E%2E");
    expect(encodePartitionSegment("a/b")).toBe("a%2Fb");
    expect(encodePartitionSegment("2026-01-01")).toBe("2026-01-01");
    expect(encodePartitionSegment(null)).toBe("_null");
    expect(encodePartitionSegment("")).toBe("_empty");
    expect(encodePartitionSegment(3.5)).toBe("3%2E5");
    expect(encodePartitionSegment("é")).toBe("%C3%A9");
  });

  it("keeps every hostile value inside data/", () => {
    for (const value of [...HOSTILE_NAMES, "x".repeat(5000), "../../../../etc/passwd"]) {
      const path = partitionedPath("data", ["p"], { p: value }, "f.evodb");
      expect(path.startsWith("data/p=")).toBe(true);
      expect(path.split("/")).toHaveLength(3);
      expect(validateRelativePath(path, "data")).toBe(path);
    }
  });

  it("refuses a hostile partition field name", () => {
    expectInvalidName(() => partitionedPath("data", [".."], { "..": 1 }, "f.evodb"));
  });
});
