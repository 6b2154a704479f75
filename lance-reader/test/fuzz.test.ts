import { describe, expect, it } from "vitest";
import { EvoDBError, MemoryObjectStore } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { openDataset, VectorSearcher } from "../src/index";
import { datasetStore } from "./helpers";

/** Every object of a fixture dataset as bytes. */
async function snapshot(name: string): Promise<Map<string, Uint8Array>> {
  const store = await datasetStore(name);
  const out = new Map<string, Uint8Array>();
  for (const o of (await store.list({ prefix: `${name}.lance/` })).objects) {
    out.set(o.key, new Uint8Array(await (await store.get(o.key))!.arrayBuffer()));
  }
  return out;
}

function mutate(rng: Random, bytes: Uint8Array): Uint8Array {
  switch (rng.int(0, 3)) {
    case 0:
      return bytes.slice(0, rng.int(0, Math.max(0, bytes.length - 1)));
    case 1: {
      const out = bytes.slice();
      for (let i = rng.int(1, 8); i > 0; i--) out[rng.int(0, out.length - 1)] = rng.int(0, 255);
      return out;
    }
    case 2: {
      // Damage the tail, where footers, offset tables and metadata live.
      const out = bytes.slice();
      for (let i = rng.int(1, 4); i > 0; i--) out[rng.int(Math.max(0, out.length - 256), out.length - 1)] = rng.int(0, 255);
      return out;
    }
    default:
      return rng.bytes(rng.int(0, 2048));
  }
}

async function expectEvoDBErrorOrSuccess(work: () => Promise<unknown>): Promise<"ok" | "error"> {
  try {
    await work();
    return "ok";
  } catch (e) {
    if (!(e instanceof EvoDBError)) throw new Error(`non-EvoDBError escaped: ${(e as Error)?.stack ?? e}`);
    expect(typeof e.code).toBe("string");
    return "error";
  }
}

describe("corrupt, truncated and random input", () => {
  it.each([["types_v2_2"], ["types_v2_0"], ["types_vlegacy"], ["versions"]])("%s: 300 mutations of its files give EvoDBError or a result, never a crash", async (name) => {
    const files = await snapshot(name);
    const keys = [...files.keys()].filter((k) => !k.endsWith(".json") && !k.includes("_transactions/"));
    const rng = new Random(name.length * 7919);
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      const store = new MemoryObjectStore();
      const victim = rng.pick(keys);
      for (const [k, v] of files) await store.put(k, k === victim ? mutate(rng, v) : v);
      const outcome = await expectEvoDBErrorOrSuccess(async () => {
        const ds = await openDataset(store, `${name}.lance`);
        await ds.scan();
        await ds.take([0, 1, 2]);
      });
      if (outcome === "error") errors++;
    }
    expect(errors).toBeGreaterThan(0);
  });

  it("mutated IVF_PQ index files give EvoDBError or a result, never a crash", async () => {
    const files = await snapshot("ann_dot");
    const keys = [...files.keys()].filter((k) => k.includes("_indices/"));
    const rng = new Random(99);
    const query = new Float32Array(32).fill(0.5);
    let errors = 0;
    for (let i = 0; i < 150; i++) {
      const store = new MemoryObjectStore();
      const victim = rng.pick(keys);
      for (const [k, v] of files) await store.put(k, k === victim ? mutate(rng, v) : v);
      const outcome = await expectEvoDBErrorOrSuccess(async () => {
        const searcher = new VectorSearcher(await openDataset(store, "ann_dot.lance"));
        await searcher.search({ column: "vector", query, k: 5, refineFactor: 2 });
      });
      if (outcome === "error") errors++;
    }
    expect(errors).toBeGreaterThan(0);
  });

  it("refuses a dataset with no manifests and a file of an unknown version", async () => {
    const store = new MemoryObjectStore();
    await expect(openDataset(store, "missing.lance")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const files = await snapshot("types_v2_2");
    for (const [k, v] of files) {
      if (k.includes("/data/")) {
        const bumped = v.slice();
        bumped[bumped.length - 8] = 9; // footer major version
        await store.put(k, bumped);
      } else await store.put(k, v);
    }
    const ds = await openDataset(store, "types_v2_2.lance");
    await expect(ds.scan()).rejects.toMatchObject({ code: "UNSUPPORTED_VERSION" });
  });
});
