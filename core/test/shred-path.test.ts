import { describe, expect, it } from "vitest";
import { Random, randomString } from "@evodb/test-utils";
import { columnByPath, indexColumns, isEvoDBError, nameToPath, pathToName, shred } from "../src/index";

describe("path names", () => {
  it("writes plain keys bare and quotes empty keys, dotted keys and keys starting with a quote", () => {
    expect(pathToName([])).toBe("");
    expect(pathToName(["user", "name"])).toBe("user.name");
    expect(pathToName(["a.b", ""])).toBe('"a.b".""');
    expect(pathToName(['"q', 'x"y', "sp ace", "\\"])).toBe('"\\"q".x"y.sp ace.\\');
    expect(pathToName(["\ud800"])).toBe("\ud800");
    expect(pathToName(["x.\ud800"])).toBe('"x.\\ud800"');
  });

  it("nameToPath inverts pathToName on 5,000 random paths, and distinct paths get distinct names", () => {
    const random = new Random(77);
    const names = new Map<string, string>();
    for (let i = 0; i < 5_000; i++) {
      const path: string[] = [];
      const depth = random.int(0, 5);
      for (let d = 0; d < depth; d++) {
        path.push(random.chance(0.3) ? random.pick(["", ".", '"', "..", "a.b", '"x"', "\\", "a"]) : randomString(random, random.int(0, 5)));
      }
      const name = pathToName(path);
      expect(nameToPath(name)).toEqual(path);
      const key = JSON.stringify(path);
      const previous = names.get(name);
      if (previous !== undefined) expect(previous).toBe(key);
      names.set(name, key);
    }
  });

  it("refuses names that no path produces", () => {
    for (const bad of [".", "a.", ".a", "a..b", '"a', '"a"b', '"a".', '"\\x"', "a.\"b"]) {
      try {
        nameToPath(bad);
        expect.fail(`accepted ${JSON.stringify(bad)}`);
      } catch (error) {
        expect(isEvoDBError(error, "INVALID_ARGUMENT")).toBe(true);
      }
    }
  });

  it("columnByPath and indexColumns find columns by path and by name", () => {
    const batch = shred([{ "a.b": { c: 1 } }]);
    expect(columnByPath(batch, ["a.b", "c"])?.type).toBe("int");
    expect(columnByPath(batch, ["a", "b", "c"])).toBeUndefined();
    const index = indexColumns(batch);
    expect([...index.keys()]).toEqual(["", '"a.b"', '"a.b".c']);
    expect(index.get('"a.b".c')).toBe(columnByPath(batch, ["a.b", "c"]));
  });
});
