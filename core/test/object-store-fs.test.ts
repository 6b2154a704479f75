import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { isEvoDBError } from "../src/index";
import { FsObjectStore } from "../src/node/index";

const run = promisify(execFile);
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "evodb-fs-"));
  roots.push(root);
  return root;
}

/** Every regular file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => statSync(join(dir, p)).isFile());
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isEvoDBError(error), `expected EvoDBError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}

describe("FsObjectStore: paths", () => {
  it("keeps hostile keys inside the root as ordinary objects", async () => {
    const outer = freshRoot();
    const root = join(outer, "store");
    const store = new FsObjectStore(root);
    const hostile = ["../escape", "../../etc/passwd", "/absolute", "a/../../b", "..", ".", "nul\u0000byte", "ctrl\u001b[31m", "back\\slash"];
    for (const key of hostile) await store.put(key, key);
    for (const key of hostile) expect(await (await store.get(key))!.text()).toBe(key);
    expect(readdirSync(outer)).toEqual(["store"]);
    for (const file of filesBelow(root)) {
      expect(relative(root, join(root, file)).startsWith("..")).toBe(false);
      expect(file).not.toMatch(/[\u0000-\u001f]/);
    }
  });

  it("refuses keys R2 would not round-trip and segments too long for a file name", async () => {
    const store = new FsObjectStore(freshRoot());
    await expectCode(store.put("lone\uD800surrogate", "x"), "INVALID_NAME");
    await expectCode(store.put("s".repeat(255), "x"), "INVALID_NAME");
    await expectCode(store.get("s".repeat(255)), "INVALID_NAME");
    expect(await store.put("s".repeat(254), "x")).not.toBeNull();
    expect((await store.list({ prefix: "s".repeat(300) + "/" })).objects).toEqual([]);
  });

  it("ignores stray and internal files when listing", async () => {
    const root = freshRoot();
    const store = new FsObjectStore(root);
    await store.put("dir/real", "x");
    writeFileSync(join(root, "dir", "stray-file-without-suffix"), "not an object");
    writeFileSync(join(root, "dir", "x~tmp~"), "not an object either");
    expect((await store.list()).objects.map((o) => o.key)).toEqual(["dir/real"]);
  });

  it("reports a foreign or truncated object file as STORAGE_ERROR", async () => {
    const root = freshRoot();
    const store = new FsObjectStore(root);
    await store.put("obj", "content");
    writeFileSync(join(root, "obj~"), "short");
    await expectCode(store.get("obj"), "STORAGE_ERROR");
    writeFileSync(join(root, "obj~"), "X".repeat(64));
    await expectCode(store.head("obj"), "STORAGE_ERROR");
  });

  it("persists across store instances on the same root", async () => {
    const root = freshRoot();
    const put = await new FsObjectStore(root).put("k", "persisted");
    const again = new FsObjectStore(root);
    expect(await (await again.get("k"))!.text()).toBe("persisted");
    expect((await again.head("k"))!.etag).toBe(put!.etag);
    expect((await again.head("k"))!.uploaded.getTime()).toBe(put!.uploaded.getTime());
  });

  it("removes a lock left by a crashed process once it is stale", async () => {
    const root = freshRoot();
    const first = new FsObjectStore(root, { staleLockMs: 50 });
    await first.put("k", "v1");
    const locks = join(root, "~locks");
    expect(readdirSync(locks)).toEqual([]); // released after the put
    // Simulate a crash while holding the lock: create the lock file by hand with an old mtime.
    const lockPath = join(locks, createHash("sha256").update("k").digest("hex"));
    writeFileSync(lockPath, "12345\n");
    utimesSync(lockPath, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(await first.put("k", "v2")).not.toBeNull();
    expect(await (await first.get("k"))!.text()).toBe("v2");
  });
});

describe("FsObjectStore: lock files", () => {
  it("waits while another process holds the key's lock, then writes", async () => {
    const root = freshRoot();
    const store = new FsObjectStore(root);
    await store.put("k", "v1");
    // Stand in for another process: hold a fresh lock file for "k".
    const lockPath = join(root, "~locks", createHash("sha256").update("k").digest("hex"));
    writeFileSync(lockPath, "other process\n");
    let settled = false;
    const put = store.put("k", "v2").then((result) => {
      settled = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    expect(await (await store.get("k"))!.text()).toBe("v1");
    rmSync(lockPath);
    expect(await put).not.toBeNull();
    expect(await (await store.get("k"))!.text()).toBe("v2");
  });
});

describe("FsObjectStore: conditional puts across processes", () => {
  const child = fileURLToPath(new URL("./object-store-fs-child.ts", import.meta.url));
  const processes = 5;
  const rounds = 20;

  function winnersPerRound(wins: number[][]): number[] {
    const counts = new Array<number>(rounds).fill(0);
    for (const won of wins) for (const round of won) counts[round]!++;
    return counts;
  }

  it("lets exactly one process win each create-only and each compare-and-swap race", async () => {
    const root = freshRoot();
    const store = new FsObjectStore(root);
    const baseEtags: string[] = [];
    for (let round = 0; round < rounds; round++) baseEtags.push((await store.put(`cas/${round}`, "base"))!.etag);
    // Common start times, so the children contend instead of running one after another.
    const createAt = Date.now() + 2500;
    const casAt = createAt + 1500;
    const outputs = await Promise.all(
      Array.from({ length: processes }, (_, writer) =>
        run(process.execPath, ["--import", "tsx", child, root, String(writer), String(createAt), String(casAt), String(rounds), JSON.stringify(baseEtags)], {
          cwd: fileURLToPath(new URL("../..", import.meta.url)),
        }),
      ),
    );
    const results = outputs.map((output) => JSON.parse(output.stdout) as { created: number[]; swapped: number[] });
    for (const [phase, prefix] of [["created", "create"], ["swapped", "cas"]] as const) {
      const wins = results.map((result) => result[phase]);
      expect(winnersPerRound(wins), phase).toEqual(new Array(rounds).fill(1));
      for (let round = 0; round < rounds; round++) {
        const winner = wins.findIndex((won) => won.includes(round));
        expect(await (await store.get(`${prefix}/${round}`))!.text()).toBe(`writer ${winner}`);
      }
    }
    expect(filesBelow(join(root, "~tmp"))).toEqual([]);
    expect(readdirSync(join(root, "~locks"))).toEqual([]);
  }, 60_000);
});
