import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { MemoryObjectStore } from "@evodb/core";
import { openDataset } from "@evodb/lance-reader";
import { Random } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { search, writeIndex } from "../src/index";
import { buildIndexFromLance } from "../src/lance";
import { clusteredVectors, exactSearch } from "./helpers";

async function copyInto(store: MemoryObjectStore, from: string, prefix: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isDirectory()) await copyInto(store, join(from, entry.name), `${prefix}${entry.name}/`);
    else await store.put(`${prefix}${entry.name}`, await readFile(join(from, entry.name)));
  }
}

describe("buildIndexFromLance (dataset written by lancedb)", () => {
  it("indexes the live rows with Lance row addresses; a full refined probe equals exact search over what lancedb returns", async () => {
    const dim = 16;
    const vectors = clusteredVectors(55, 1200, dim, 6);
    const dir = await mkdtemp(join(tmpdir(), "snippets-lance-"));
    try {
      const db = await lancedb.connect(dir);
      const rows = Array.from({ length: 1200 }, (_, i) => ({ id: i, vector: Array.from(vectors.subarray(i * dim, i * dim + dim)) }));
      const table = await db.createTable("items", rows.slice(0, 700));
      await table.add(rows.slice(700));
      await table.delete("id % 7 = 3");
      // lancedb's own view of the live rows and their _rowid is the reference.
      const live = (await table.query().withRowId().select(["id", "_rowid"]).toArray()) as { id: number; _rowid: bigint }[];
      const store = new MemoryObjectStore();
      await copyInto(store, join(dir, "items.lance"), "items.lance/");

      const built = await buildIndexFromLance(store, "items.lance", { column: "vector", partitions: 10, refine: true });
      await writeIndex(store, "idx", built);
      const liveVectors = new Float32Array(live.length * dim);
      live.forEach((r, i) => liveVectors.set(vectors.subarray(r.id * dim, r.id * dim + dim), i * dim));
      const random = new Random(4);
      const dataset = await openDataset(store, "items.lance");
      for (let t = 0; t < 8; t++) {
        const query = Array.from({ length: dim }, () => random.next() * 8 - 4);
        const result = await search(store, query, { index: "idx", k: 5, nprobes: 10 });
        const expected = exactSearch(liveVectors, dim, query, 5, "l2").ids.map((i) => Number(live[i]!._rowid));
        expect(Array.from(result.rowIds)).toEqual(expected);
        const taken = await dataset.take(result.rowIds, { columns: ["id"] });
        expect(taken.length).toBe(5);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
