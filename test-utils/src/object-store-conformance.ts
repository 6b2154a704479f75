/**
 * The one conformance suite every {@link ObjectStore} must pass: R2 inside workerd (the reference),
 * MemoryObjectStore and FsObjectStore. Expectations encode R2's behaviour as measured in workerd;
 * where R2 throws its own errors, EvoDB stores must throw an EvoDBError with the given code.
 */
import { isEvoDBError, type EvoDBErrorCode, type ObjectStore } from "@evodb/core";
import { beforeEach, describe, expect, it } from "vitest";
import { Random } from "./random";

/** Options of {@link describeObjectStoreConformance}. */
export interface ObjectStoreConformanceOptions {
  /**
   * True (default) for EvoDB's own stores: every refusal must be an `EvoDBError` with the code the
   * suite names. False for R2, which throws its own errors; the suite then checks only that it throws.
   */
  evodbErrors?: boolean;
}

const utf8 = new TextEncoder();

/** Byte equality with a readable failure; vitest's deep equality is too slow for megabytes. */
function expectSameBytes(actual: Uint8Array | null, expected: Uint8Array): void {
  expect(actual, "object should exist").not.toBeNull();
  expect(actual!.length, "length").toBe(expected.length);
  let firstDifference = -1;
  for (let i = 0; i < expected.length; i++) {
    if (actual![i] !== expected[i]) {
      firstDifference = i;
      break;
    }
  }
  expect(firstDifference, "index of the first differing byte").toBe(-1);
}

/**
 * Registers the conformance tests for one store implementation. `makeStore` runs before every test;
 * it may return a fresh store or a shared one (each test uses its own key prefix, so a shared R2
 * bucket works too).
 *
 * @example
 * describeObjectStoreConformance("memory", () => new MemoryObjectStore());
 */
export function describeObjectStoreConformance(
  name: string,
  makeStore: () => ObjectStore | Promise<ObjectStore>,
  options: ObjectStoreConformanceOptions = {},
): void {
  const evodbErrors = options.evodbErrors ?? true;
  let store: ObjectStore;
  let scope = "";
  let testNumber = 0;
  // Unique per run so that a persistent bucket never shows a previous run's keys.
  const runId = `conformance-${Date.now().toString(36)}`;

  async function expectRefused(promise: Promise<unknown>, code: EvoDBErrorCode): Promise<void> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e ?? new Error("rejected with nothing"),
    );
    expect(error, "operation should have been refused").toBeDefined();
    if (evodbErrors) expect(isEvoDBError(error, code), `expected EvoDBError ${code}, got ${String(error)}`).toBe(true);
  }

  async function read(key: string, range?: Parameters<ObjectStore["get"]>[1]): Promise<Uint8Array | null> {
    const object = await store.get(key, range);
    return object === null ? null : new Uint8Array(await object.arrayBuffer());
  }

  // Generous per-test timeout: the filesystem store fsyncs every write, and CI machines can be busy.
  describe(`ObjectStore conformance: ${name}`, { timeout: 60_000 }, () => {
    beforeEach(async () => {
      store = await makeStore();
      scope = `${runId}/${++testNumber}/`;
    });

    describe("put, get, head", () => {
      it("round-trips a string, all 256 byte values, an ArrayBuffer, a view's own bytes and an empty object", async () => {
        const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
        await store.put(scope + "text", "héllo wörld ✓");
        await store.put(scope + "bytes", allBytes);
        await store.put(scope + "buffer", allBytes.slice(10, 20).buffer);
        await store.put(scope + "view", allBytes.subarray(100, 104));
        await store.put(scope + "empty", new Uint8Array(0));
        expect(await (await store.get(scope + "text"))!.text()).toBe("héllo wörld ✓");
        expect(await read(scope + "bytes")).toEqual(allBytes);
        expect(await read(scope + "buffer")).toEqual(allBytes.slice(10, 20));
        expect(await read(scope + "view")).toEqual(Uint8Array.of(100, 101, 102, 103));
        expect(await read(scope + "empty")).toEqual(new Uint8Array(0));
        expect((await store.head(scope + "empty"))!.size).toBe(0);
      });

      it("round-trips a 1 MB random binary object", async () => {
        const bytes = new Random(7).bytes(1 << 20);
        await store.put(scope + "big", bytes);
        expectSameBytes(await read(scope + "big"), bytes);
      });

      it("returns metadata from put that head and get repeat", async () => {
        const put = await store.put(scope + "m", "abcdef");
        expect(put).not.toBeNull();
        expect(put!.key).toBe(scope + "m");
        expect(put!.size).toBe(6);
        expect(put!.etag).toMatch(/^[^"]+$/);
        expect(put!.uploaded).toBeInstanceOf(Date);
        const head = await store.head(scope + "m");
        const got = await store.get(scope + "m");
        for (const meta of [head!, got!]) {
          expect(meta.key).toBe(scope + "m");
          expect(meta.size).toBe(6);
          expect(meta.etag).toBe(put!.etag);
          expect(meta.uploaded.getTime()).toBe(put!.uploaded.getTime());
        }
      });

      it("gives null for a missing key from get, ranged get and head", async () => {
        expect(await store.get(scope + "missing")).toBeNull();
        expect(await store.get(scope + "missing", { range: { offset: 5 } })).toBeNull();
        expect(await store.head(scope + "missing")).toBeNull();
      });

      it("overwrites; the etag follows the content (R2's etag is the MD5 of the bytes)", async () => {
        const first = await store.put(scope + "o", "one");
        const second = await store.put(scope + "o", "two");
        expect(second!.etag).not.toBe(first!.etag);
        expect(await (await store.get(scope + "o"))!.text()).toBe("two");
        const again = await store.put(scope + "o", "one");
        expect(again!.etag).toBe(first!.etag);
        expect(first!.etag).toBe("f97c5d29941bfb1b2fdab0874906ab82");
      });

      it("keeps the bytes of the put even if the caller's buffer changes afterwards", async () => {
        const bytes = Uint8Array.of(1, 2, 3);
        await store.put(scope + "copy", bytes);
        bytes[0] = 99;
        expect(await read(scope + "copy")).toEqual(Uint8Array.of(1, 2, 3));
      });
    });

    describe("keys", () => {
      it("round-trips unicode and path-like keys exactly, each distinct", async () => {
        const keys = ["日本/データ/😀.bin", "with space", "100%", "a~b", "~", "..", ".", "a/../b", "a//b", "/lead", "trail/", "tab\tkey", "a\\b", "e\u0301", "\u00e9"];
        for (const [i, key] of keys.entries()) await store.put(scope + key, `value ${i}`);
        for (const [i, key] of keys.entries()) expect(await (await store.get(scope + key))!.text()).toBe(`value ${i}`);
        const listed = (await store.list({ prefix: scope })).objects.map((o) => o.key.slice(scope.length));
        expect([...listed].sort()).toEqual([...keys].sort());
      });

      it("lets a key and a key below it coexist (\"a\" and \"a/b\")", async () => {
        await store.put(scope + "a", "file");
        await store.put(scope + "a/b", "below");
        expect(await (await store.get(scope + "a"))!.text()).toBe("file");
        expect(await (await store.get(scope + "a/b"))!.text()).toBe("below");
      });

      it("accepts a 1024-byte key and refuses a 1025-byte one", async () => {
        const segment = "s".repeat(199) + "/";
        const base = scope + segment.repeat(4);
        const fits = base + "k".repeat(1024 - utf8.encode(base).length);
        expect(utf8.encode(fits).length).toBe(1024);
        expect(await store.put(fits, "x")).not.toBeNull();
        expect(await (await store.get(fits))!.text()).toBe("x");
        await expectRefused(store.put(fits + "k", "x"), "INVALID_NAME");
        await expectRefused(store.get(fits + "k"), "INVALID_NAME");
      });
    });

    describe("ranged get", () => {
      const content = "0123456789";
      beforeEach(async () => {
        await store.put(scope + "r", content);
      });

      const cases: Array<[string, Parameters<ObjectStore["get"]>[1], string]> = [
        ["offset and length", { range: { offset: 2, length: 3 } }, "234"],
        ["offset to the end", { range: { offset: 8 } }, "89"],
        ["length from 0", { range: { length: 4 } }, "0123"],
        ["suffix", { range: { suffix: 3 } }, "789"],
        ["the last byte", { range: { offset: 9, length: 1 } }, "9"],
        ["a suffix larger than the object (whole object)", { range: { suffix: 20 } }, content],
        ["a length running past the end (clamped)", { range: { offset: 8, length: 10 } }, "89"],
      ];
      for (const [label, range, expected] of cases) {
        it(`reads ${label}; size stays the full size`, async () => {
          const object = await store.get(scope + "r", range);
          expect(await object!.text()).toBe(expected);
          expect(object!.size).toBe(10);
        });
      }

      const unsatisfiable: Array<[string, { offset?: number; length?: number; suffix?: number }]> = [
        ["offset at the end", { offset: 10 }],
        ["offset past the end", { offset: 20, length: 2 }],
        ["zero length", { offset: 5, length: 0 }],
        ["zero suffix", { suffix: 0 }],
      ];
      for (const [label, range] of unsatisfiable) {
        it(`refuses a range that selects no byte: ${label}`, async () => {
          await expectRefused(store.get(scope + "r", { range: range as never }), "INVALID_ARGUMENT");
        });
      }

      it("refuses negative and fractional offsets", async () => {
        await expectRefused(store.get(scope + "r", { range: { offset: -1 } }), "INVALID_ARGUMENT");
        await expectRefused(store.get(scope + "r", { range: { offset: 1.5, length: 2 } }), "INVALID_ARGUMENT");
        await expectRefused(store.get(scope + "r", { range: { suffix: -1 } }), "INVALID_ARGUMENT");
      });

      it("refuses every range of an empty object", async () => {
        await store.put(scope + "empty", "");
        await expectRefused(store.get(scope + "empty", { range: { offset: 0 } }), "INVALID_ARGUMENT");
        await expectRefused(store.get(scope + "empty", { range: { suffix: 1 } }), "INVALID_ARGUMENT");
      });

      it("reads random ranges of a binary object byte-exactly", async () => {
        const random = new Random(11);
        const bytes = random.bytes(100_000);
        await store.put(scope + "bin", bytes);
        for (let i = 0; i < 25; i++) {
          const offset = random.int(0, bytes.length - 1);
          const length = random.int(1, 5000);
          expectSameBytes(await read(scope + "bin", { range: { offset, length } }), bytes.subarray(offset, Math.min(bytes.length, offset + length)));
          const suffix = random.int(1, 5000);
          expectSameBytes(await read(scope + "bin", { range: { suffix } }), bytes.subarray(bytes.length - suffix));
        }
      });
    });

    describe("conditional put", () => {
      it("create-only (etagDoesNotMatch \"*\") writes when absent and refuses when present", async () => {
        const created = await store.put(scope + "c", "first", { onlyIf: { etagDoesNotMatch: "*" } });
        expect(created).not.toBeNull();
        expect(await store.put(scope + "c", "second", { onlyIf: { etagDoesNotMatch: "*" } })).toBeNull();
        expect(await (await store.get(scope + "c"))!.text()).toBe("first");
        expect((await store.head(scope + "c"))!.etag).toBe(created!.etag);
      });

      it("compare-and-swap (etagMatches) writes on the current etag and refuses a stale one", async () => {
        const v1 = await store.put(scope + "cas", "v1");
        const v2 = await store.put(scope + "cas", "v2", { onlyIf: { etagMatches: v1!.etag } });
        expect(v2).not.toBeNull();
        expect(await store.put(scope + "cas", "v3", { onlyIf: { etagMatches: v1!.etag } })).toBeNull();
        expect(await (await store.get(scope + "cas"))!.text()).toBe("v2");
      });

      it("etagMatches on a missing key fails and creates nothing, also with \"*\"", async () => {
        expect(await store.put(scope + "nope", "x", { onlyIf: { etagMatches: "0123456789abcdef0123456789abcdef" } })).toBeNull();
        expect(await store.put(scope + "nope", "x", { onlyIf: { etagMatches: "*" } })).toBeNull();
        expect(await store.head(scope + "nope")).toBeNull();
      });

      it("etagMatches \"*\" writes over any existing object", async () => {
        await store.put(scope + "any", "old");
        expect(await store.put(scope + "any", "new", { onlyIf: { etagMatches: "*" } })).not.toBeNull();
        expect(await (await store.get(scope + "any"))!.text()).toBe("new");
      });

      it("etagDoesNotMatch with an etag: refuses the current one, accepts another, creates when absent", async () => {
        const current = await store.put(scope + "d", "v1");
        expect(await store.put(scope + "d", "v2", { onlyIf: { etagDoesNotMatch: current!.etag } })).toBeNull();
        expect(await store.put(scope + "d", "v3", { onlyIf: { etagDoesNotMatch: "0123456789abcdef0123456789abcdef" } })).not.toBeNull();
        expect(await (await store.get(scope + "d"))!.text()).toBe("v3");
        expect(await store.put(scope + "fresh", "x", { onlyIf: { etagDoesNotMatch: current!.etag } })).not.toBeNull();
      });

      it("requires both conditions when both are given", async () => {
        const current = await store.put(scope + "both", "v1");
        expect(await store.put(scope + "both", "v2", { onlyIf: { etagMatches: current!.etag, etagDoesNotMatch: current!.etag } })).toBeNull();
        expect(await store.put(scope + "both", "v3", { onlyIf: { etagMatches: current!.etag, etagDoesNotMatch: "0123456789abcdef0123456789abcdef" } })).not.toBeNull();
      });

      it("refuses a quoted etag (pass StoredObject.etag, not an HTTP ETag header)", async () => {
        const current = await store.put(scope + "q", "v1");
        await expectRefused(store.put(scope + "q", "v2", { onlyIf: { etagMatches: `"${current!.etag}"` } }), "INVALID_ARGUMENT");
        expect(await (await store.get(scope + "q"))!.text()).toBe("v1");
      });

      it("lets exactly one of 16 concurrent create-only puts win", async () => {
        const results = await Promise.all(
          Array.from({ length: 16 }, (_, i) => store.put(scope + "race", `writer ${i}`, { onlyIf: { etagDoesNotMatch: "*" } })),
        );
        const winners = results.flatMap((result, i) => (result === null ? [] : [i]));
        expect(winners).toHaveLength(1);
        expect(await (await store.get(scope + "race"))!.text()).toBe(`writer ${winners[0]}`);
      });

      it("lets exactly one of 16 concurrent compare-and-swaps from one etag win", async () => {
        // Every writer's content differs from the base: R2's etag is the content's MD5, so a writer
        // rewriting identical bytes would keep the etag and let a second CAS through.
        const base = await store.put(scope + "cas-race", "base");
        const results = await Promise.all(
          Array.from({ length: 16 }, (_, i) => store.put(scope + "cas-race", `writer ${i}`, { onlyIf: { etagMatches: base!.etag } })),
        );
        const winners = results.flatMap((result, i) => (result === null ? [] : [i]));
        expect(winners).toHaveLength(1);
        const head = await store.head(scope + "cas-race");
        expect(head!.etag).toBe(results[winners[0]!]!.etag);
        expect(await (await store.get(scope + "cas-race"))!.text()).toBe(`writer ${winners[0]}`);
      });
    });

    describe("delete", () => {
      it("deletes one key, many keys, and ignores missing ones", async () => {
        for (const k of ["a", "b", "c", "d"]) await store.put(scope + k, k);
        await store.delete(scope + "a");
        await store.delete([scope + "b", scope + "c", scope + "never-existed"]);
        await store.delete(scope + "never-existed");
        expect(await store.get(scope + "a")).toBeNull();
        expect(await store.head(scope + "b")).toBeNull();
        expect(await store.get(scope + "c")).toBeNull();
        expect((await store.list({ prefix: scope })).objects.map((o) => o.key)).toEqual([scope + "d"]);
      });

      it("allows create-only again after a delete", async () => {
        await store.put(scope + "re", "one");
        await store.delete(scope + "re");
        expect(await store.put(scope + "re", "two", { onlyIf: { etagDoesNotMatch: "*" } })).not.toBeNull();
        expect(await (await store.get(scope + "re"))!.text()).toBe("two");
      });
    });

    describe("list", () => {
      // Ordered by UTF-8 bytes: "A" < "a" < "a/b" < "ab" < "é" < U+FFFD < U+1F600.
      const ordered = ["A", "a", "a/b", "a/c", "ab", "b", "z", "é", "\uFFFD", "\u{1F600}"];

      it("lists keys under a prefix in UTF-8 byte order with size and etag", async () => {
        for (const key of [...ordered].reverse()) await store.put(scope + "l/" + key, key);
        await store.put(scope + "other", "not listed");
        const listing = await store.list({ prefix: scope + "l/" });
        expect(listing.truncated).toBe(false);
        expect(listing.objects.map((o) => o.key)).toEqual(ordered.map((k) => scope + "l/" + k));
        for (const object of listing.objects) {
          const head = await store.head(object.key);
          expect(object.size).toBe(head!.size);
          expect(object.etag).toBe(head!.etag);
        }
      });

      it("pages with limit and cursor, covering every key exactly once", async () => {
        for (const key of ordered) await store.put(scope + "p/" + key, key);
        const seen: string[] = [];
        let page = await store.list({ prefix: scope + "p/", limit: 3 });
        let pages = 1;
        while (page.truncated) {
          expect(page.objects).toHaveLength(3);
          expect(page.cursor).toBeTypeOf("string");
          seen.push(...page.objects.map((o) => o.key));
          page = await store.list({ prefix: scope + "p/", limit: 3, cursor: page.cursor! });
          pages++;
        }
        seen.push(...page.objects.map((o) => o.key));
        expect(pages).toBe(4);
        expect(seen).toEqual(ordered.map((k) => scope + "p/" + k));
      });

      it("matches a partial segment prefix", async () => {
        for (const key of ["dir/alpha", "dir/alps", "dir/beta", "dirt"]) await store.put(scope + key, key);
        expect((await store.list({ prefix: scope + "dir/al" })).objects.map((o) => o.key)).toEqual([scope + "dir/alpha", scope + "dir/alps"]);
        expect((await store.list({ prefix: scope + "dir" })).objects.map((o) => o.key)).toEqual(
          [scope + "dir/alpha", scope + "dir/alps", scope + "dir/beta", scope + "dirt"],
        );
      });

      it("returns an empty, untruncated listing for an unused prefix", async () => {
        const listing = await store.list({ prefix: scope + "nothing/" });
        expect(listing.objects).toEqual([]);
        expect(listing.truncated).toBe(false);
      });

      it("is not truncated when the last page is exactly full", async () => {
        for (const key of ["1", "2", "3"]) await store.put(scope + "f/" + key, key);
        const listing = await store.list({ prefix: scope + "f/", limit: 3 });
        expect(listing.objects).toHaveLength(3);
        expect(listing.truncated).toBe(false);
      });

      it("refuses a limit of 0 or above 1000", async () => {
        await expectRefused(store.list({ prefix: scope, limit: 0 }), "INVALID_ARGUMENT");
        await expectRefused(store.list({ prefix: scope, limit: 1001 }), "INVALID_ARGUMENT");
      });
    });
  });
}
