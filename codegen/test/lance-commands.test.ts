import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random } from "@evodb/test-utils";
import { evodb, tempDir } from "./helpers";

describe("evodb lance info / scan / search on a dataset written by lancedb", () => {
  const { dir, cleanup } = tempDir();
  const random = new Random(3);
  const rows = Array.from({ length: 500 }, (_, i) => ({
    id: i,
    label: i % 3 === 1 ? null : `item-${i}`,
    vector: Array.from({ length: 8 }, () => random.next() * 2 - 1),
  }));
  let table: lancedb.Table;
  beforeAll(async () => {
    const db = await lancedb.connect(dir);
    table = await db.createTable("items", rows);
    await table.delete("id >= 490");
  });
  afterAll(cleanup);

  it("info prints versions, row count and fields", async () => {
    const out = await evodb(dir, ["lance", "info", "items.lance", "--format", "json"]);
    expect(out.code).toBe(0);
    const [info] = JSON.parse(out.stdout) as { version: number; versions: number[]; rows: number; fields: string[] }[];
    expect(info!.version).toBe(await table.version());
    expect(info!.rows).toBe(await table.countRows());
    expect(info!.fields.map((f) => f.split(":")[0])).toEqual(["id", "label", "vector"]);
  });

  it("scan returns what lancedb returns, also for an earlier version", async () => {
    const out = await evodb(dir, ["lance", "scan", "items.lance", "--select", "id,label", "--format", "json"]);
    expect(out.code).toBe(0);
    const ours = JSON.parse(out.stdout) as { id: number; label: string | null }[];
    const theirs = (await table.query().select(["id", "label"]).toArray()).map((r) => ({ id: Number(r.id), label: r.label ?? null }));
    expect(ours.map((r) => ({ id: Number(r.id), label: r.label }))).toEqual(theirs);
    const first = JSON.parse((await evodb(dir, ["lance", "scan", "items.lance", "--version", "1", "--select", "id", "--format", "json"])).stdout) as unknown[];
    expect(first).toHaveLength(500);
    const limited = JSON.parse((await evodb(dir, ["lance", "scan", "items.lance", "--limit", "7", "--format", "json"])).stdout) as unknown[];
    expect(limited).toHaveLength(7);
  });

  it("search gives lancedb's nearest neighbours with _distance", async () => {
    const query = rows[42]!.vector;
    const out = await evodb(dir, ["lance", "search", "items.lance", "--column", "vector", "--vector", JSON.stringify(query), "--k", "5", "--select", "id", "--format", "json"]);
    expect(out.code).toBe(0);
    const ours = JSON.parse(out.stdout) as { id: number; _distance: number }[];
    const theirs = await table.vectorSearch(query).select(["id"]).limit(5).toArray();
    expect(ours.map((r) => Number(r.id))).toEqual(theirs.map((r) => Number(r.id)));
    ours.forEach((r, i) => expect(r._distance).toBeCloseTo(Number(theirs[i]!._distance), 4));
    expect(ours[0]!.id).toBe(42);
  });

  it("refuses a vector that is not a JSON array of numbers", async () => {
    const out = await evodb(dir, ["lance", "search", join(dir, "items.lance"), "--column", "vector", "--vector", "[1,\"x\"]"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^error INVALID_ARGUMENT: --vector/);
  });
});

describe("DirectoryObjectStore", () => {
  it("never reads outside its folder and refuses writes", async () => {
    const { DirectoryObjectStore } = await import("@evodb/core/node");
    const store = new DirectoryObjectStore(join(tmpdirRoot(), "nowhere"));
    await expect(store.get("../etc/passwd")).rejects.toMatchObject({ code: "INVALID_NAME" });
    await expect(store.head("a//b")).rejects.toMatchObject({ code: "INVALID_NAME" });
    await expect(store.put("a")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await store.head("missing")).toBeNull();
  });
});

function tmpdirRoot(): string {
  return join(process.cwd(), "node_modules");
}

describe("evodb lance search on an IVF_HNSW_SQ index", () => {
  const { dir, cleanup } = tempDir();
  const random = new Random(11);
  const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, vector: Array.from({ length: 16 }, () => random.next() * 2 - 1) }));
  let table: lancedb.Table;
  beforeAll(async () => {
    const db = await lancedb.connect(dir);
    table = await db.createTable("graph", rows);
    await table.createIndex("vector", { config: lancedb.Index.hnswSq({ distanceType: "l2", numPartitions: 2 }) });
  });
  afterAll(cleanup);

  it("uses the index and returns lancedb's neighbours", async () => {
    const query = rows[7]!.vector;
    const out = await evodb(dir, ["lance", "search", "graph.lance", "--column", "vector", "--vector", JSON.stringify(query), "--k", "10", "--nprobes", "2", "--select", "id", "--format", "json"]);
    expect(out.code).toBe(0);
    const ours = JSON.parse(out.stdout) as { id: number; _distance: number }[];
    const theirs = await table.vectorSearch(query).nprobes(2).select(["id"]).limit(10).toArray();
    expect(ours.map((r) => Number(r.id))).toEqual(theirs.map((r) => Number(r.id)));
    ours.forEach((r, i) => expect(r._distance).toBeCloseTo(Number(theirs[i]!._distance), 3));
  });
});
