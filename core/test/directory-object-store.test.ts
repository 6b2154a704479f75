import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Random } from "@evodb/test-utils";
import { DirectoryObjectStore } from "../src/node/index";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A folder of `count` files `d/f<i>.bin` with seeded random contents of 1..20,000 bytes. */
function folder(count: number, seed: number): { root: string; files: Map<string, Uint8Array> } {
  const root = mkdtempSync(join(tmpdir(), "evodb-dir-store-"));
  roots.push(root);
  mkdirSync(join(root, "d"));
  const rng = new Random(seed);
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const bytes = rng.bytes(rng.int(1, 20_000));
    writeFileSync(join(root, "d", `f${i}.bin`), bytes);
    files.set(`d/f${i}.bin`, bytes);
  }
  return { root, files };
}

/** File descriptors this process holds on files below `root` (Linux: /proc/self/fd). */
function openFdsUnder(root: string): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(root)) n++;
    } catch {
      // The descriptor closed between listing and reading its link.
    }
  }
  return n;
}

async function bytesOf(store: DirectoryObjectStore, key: string, range?: { offset: number; length: number }): Promise<Uint8Array | null> {
  const body = await store.get(key, range ? { range } : {});
  return body && new Uint8Array(await body.arrayBuffer());
}

describe("DirectoryObjectStore", () => {
  it("random ranged reads, many in flight over more files than it keeps open, return the files' bytes and leave no descriptor open after close()", async () => {
    const { root, files } = folder(12, 11);
    const store = new DirectoryObjectStore(root, { openFiles: 3 });
    const rng = new Random(12);
    const keys = [...files.keys()];
    const reads = Array.from({ length: 400 }, () => {
      const key = rng.pick(keys);
      const size = files.get(key)!.length;
      const offset = rng.int(0, size - 1);
      const length = rng.int(1, size - offset);
      return { key, offset, length };
    });
    const got = await Promise.all(reads.map((r) => bytesOf(store, r.key, { offset: r.offset, length: r.length })));
    // Buffer.equals: comparing 400 arrays element by element through expect would take seconds.
    const wrong = reads.filter((r, i) => !got[i] || !Buffer.from(got[i]!).equals(files.get(r.key)!.subarray(r.offset, r.offset + r.length)));
    expect(wrong).toEqual([]);
    expect(store.openFiles).toBeLessThanOrEqual(3);
    expect(store.openFiles).toBeGreaterThan(0);
    await store.close();
    expect(store.openFiles).toBe(0);
    expect(openFdsUnder(root)).toBe(0);
  });

  it("closes evicted handles: reading one range of each file in turn keeps at most openFiles descriptors", async () => {
    const { root, files } = folder(10, 21);
    const store = new DirectoryObjectStore(root, { openFiles: 2 });
    for (const [key, bytes] of files) {
      expect(await bytesOf(store, key, { offset: 0, length: 1 })).toEqual(bytes.subarray(0, 1));
      // An evicted handle closes in the background; the next read starts after it on the same pool.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(openFdsUnder(root)).toBeLessThanOrEqual(2);
    }
    await store.close();
    expect(openFdsUnder(root)).toBe(0);
  });

  it("with openFiles 0 keeps nothing open, and reads stay correct", async () => {
    const { root, files } = folder(3, 31);
    const store = new DirectoryObjectStore(root, { openFiles: 0 });
    const bytes = files.get("d/f1.bin")!;
    expect(await bytesOf(store, "d/f1.bin", { offset: 0, length: bytes.length })).toEqual(bytes);
    expect(store.openFiles).toBe(0);
    await store.close();
    expect(openFdsUnder(root)).toBe(0);
  });

  it("reads whole objects fresh, gives null for missing keys (and finds a file created after a miss), and stays usable after close()", async () => {
    const { root, files } = folder(2, 41);
    const store = new DirectoryObjectStore(root);
    expect(await bytesOf(store, "d/f0.bin")).toEqual(files.get("d/f0.bin"));
    expect(await bytesOf(store, "d/late.bin", { offset: 0, length: 1 })).toBeNull();
    expect(await store.get("d/late.bin")).toBeNull();
    expect(await bytesOf(store, "d", { offset: 0, length: 1 })).toBeNull();
    writeFileSync(join(root, "d", "late.bin"), new Uint8Array([7, 8, 9]));
    expect(await bytesOf(store, "d/late.bin", { offset: 1, length: 2 })).toEqual(new Uint8Array([8, 9]));
    // A whole-object read sees a rewrite (manifests such as _latest.manifest are rewritten in place).
    writeFileSync(join(root, "d", "f0.bin"), new Uint8Array([1, 2]));
    expect(await bytesOf(store, "d/f0.bin")).toEqual(new Uint8Array([1, 2]));
    await store.close();
    expect(openFdsUnder(root)).toBe(0);
    expect(await bytesOf(store, "d/f1.bin", { offset: 0, length: 3 })).toEqual(files.get("d/f1.bin")!.subarray(0, 3));
    await store.close();
    expect(openFdsUnder(root)).toBe(0);
  });

  it("a range outside the object is INVALID_ARGUMENT and releases the handle; keys leaving the folder are INVALID_NAME", async () => {
    const { root, files } = folder(1, 51);
    const store = new DirectoryObjectStore(root, { openFiles: 1 });
    const size = files.get("d/f0.bin")!.length;
    await expect(store.get("d/f0.bin", { range: { offset: size, length: 1 } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(store.get("../x", { range: { offset: 0, length: 1 } })).rejects.toMatchObject({ code: "INVALID_NAME" });
    await expect(store.get("d/../d/f0.bin")).rejects.toMatchObject({ code: "INVALID_NAME" });
    expect(() => new DirectoryObjectStore(root, { openFiles: -1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    await store.close();
    expect(openFdsUnder(root)).toBe(0);
  });
});
