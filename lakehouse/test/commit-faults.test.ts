import { MemoryObjectStore, type ObjectPutOptions, type ObjectStore, type StoredObject } from "@evodb/core";
import { describe, expect, it } from "vitest";
import { createTable, openTable, POINTER_PATH } from "../src/index";

/**
 * A real MemoryObjectStore whose next pointer swap lands but reports an error, as a network
 * failure after R2 applied the write would (fault injection around a real store, not a fake).
 */
class LostResponseStore extends MemoryObjectStore {
  failNextSwap = false;

  override async put(key: string, value: ArrayBuffer | ArrayBufferView | string, options?: ObjectPutOptions): Promise<StoredObject | null> {
    const result = await super.put(key, value, options);
    if (this.failNextSwap && key.endsWith(POINTER_PATH) && options?.onlyIf?.etagMatches !== undefined && result !== null) {
      this.failNextSwap = false;
      throw new Error("connection reset after the write");
    }
    return result;
  }
}

const file = (path: string) => ({ path, rowCount: 1, byteSize: 1, partition: {}, columnStats: {} });

describe("commit faults", () => {
  it("applies a commit once when the pointer swap landed but its response was lost", async () => {
    const store = new LostResponseStore();
    const table = await createTable(store, { name: "t" });
    await table.append([file("data/a")]);
    store.failNextSwap = true;
    const result = await table.append([file("data/b"), file("data/c")]);
    expect(result.duplicate).toBe(true);
    expect(result.attempts).toBe(2);
    const history = await table.history();
    expect(history.map((h) => h.summary.addedFiles)).toEqual([1, 2]);
    expect((await table.snapshot())!.dataFiles.map((f) => f.path)).toEqual(["data/a", "data/b", "data/c"]);
  });

  it("fails with TIMEOUT, and commits nothing, when a commit overruns maxCommitDurationMs", async () => {
    const store: ObjectStore = new MemoryObjectStore();
    await createTable(store, { name: "t" });
    const slow = await openTable(store, { name: "t" }, { maxCommitDurationMs: -1 });
    await expect(slow.append([file("data/a")])).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(await slow.history()).toEqual([]);
  });
});
