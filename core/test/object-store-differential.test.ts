import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Random } from "@evodb/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryObjectStore, type ObjectConditional, type ObjectStore } from "../src/index";
import { FsObjectStore } from "../src/node/index";

// A seeded random walk of operations applied to the memory store and the filesystem store in the
// same order; every observable result must agree. Keys come from awkward segments ("..", "", "~",
// "%41", astral characters) so the filesystem's key-to-path encoding is exercised hard.
const SEGMENTS = ["a", "b", "..", ".", "", "~", "%41", "%", "é", "😀", "x~y", "A", "a b", "\u0001"];

const root = mkdtempSync(join(tmpdir(), "evodb-diff-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function randomKey(random: Random): string {
  return Array.from({ length: random.int(1, random.chance(0.8) ? 2 : 3) }, () => random.pick(SEGMENTS)).join("/");
}

/** The observable outcome of an operation, as plain data (errors by code). */
async function outcome(action: () => Promise<unknown>): Promise<unknown> {
  try {
    return await action();
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

async function describeGet(store: ObjectStore, key: string, range: Parameters<ObjectStore["get"]>[1]): Promise<unknown> {
  const object = await store.get(key, range);
  return object === null ? null : { size: object.size, etag: object.etag, text: await object.text() };
}

async function listAll(store: ObjectStore, prefix: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix, limit, ...(cursor === undefined ? {} : { cursor }) });
    pages.push(page.objects.map((o) => `${o.key}=${o.etag}:${o.size}`));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return pages;
}

describe("MemoryObjectStore and FsObjectStore agree on a random walk", () => {
  it("gives identical results for 600 seeded operations", async () => {
    const random = new Random(424242);
    const memory = new MemoryObjectStore();
    const fs = new FsObjectStore(root);
    const etags: string[] = ["0123456789abcdef0123456789abcdef"];
    for (let step = 0; step < 600; step++) {
      const key = randomKey(random);
      const kind = random.int(0, 9);
      let run: (store: ObjectStore) => Promise<unknown>;
      if (kind <= 3) {
        const value = `v${random.int(0, 20)}`;
        const conditions: (ObjectConditional | undefined)[] = [undefined, { etagDoesNotMatch: "*" }, { etagMatches: random.pick(etags) }, { etagMatches: "*" }, { etagDoesNotMatch: random.pick(etags) }];
        const onlyIf = random.pick(conditions);
        run = async (store) => {
          const put = await store.put(key, value, onlyIf === undefined ? {} : { onlyIf });
          if (put) etags.push(put.etag);
          return put === null ? null : { key: put.key, size: put.size, etag: put.etag };
        };
      } else if (kind <= 5) {
        const range = random.pick([undefined, { offset: random.int(0, 3) }, { suffix: random.int(0, 3) }, { offset: random.int(0, 2), length: random.int(0, 3) }]);
        run = (store) => describeGet(store, key, range === undefined ? undefined : { range });
      } else if (kind === 6) {
        const keys = random.chance(0.5) ? key : [key, randomKey(random)];
        run = (store) => store.delete(keys);
      } else if (kind === 7) {
        run = async (store) => {
          const head = await store.head(key);
          return head === null ? null : { size: head.size, etag: head.etag };
        };
      } else {
        const prefix = random.chance(0.3) ? "" : randomKey(random).slice(0, random.int(0, 4));
        const limit = random.int(1, 7);
        run = (store) => listAll(store, prefix, limit);
      }
      // The same closure runs on both stores; every random draw happens above, outside it.
      const expected = await outcome(() => run(memory));
      const actual = await outcome(() => run(fs));
      expect(actual, `step ${step}, key ${JSON.stringify(key)}`).toEqual(expected);
    }
  }, 120_000);
});
