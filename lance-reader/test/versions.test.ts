import { describe, expect, it } from "vitest";
import { MemoryObjectStore } from "@evodb/core";
import { readVarint } from "../src/protobuf";
import { openDataset, toRows } from "../src/index";
import { CountingStore, datasetStore, oracle, oracleRows } from "./helpers";

describe.each([["versions"], ["versions_v1names"]])("time travel and deletes (%s)", (name) => {
  it("lists four versions under its manifest naming scheme and opens the latest", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    expect(await ds.versions()).toEqual([1, 2, 3, 4]);
    expect(ds.version).toBe(4);
    expect(ds.schema.fields.map((f) => [f.id, f.name, f.logicalType])).toEqual([
      [0, "id", "int64"],
      [1, "value", "double"],
    ]);
  });

  it.each([[1], [2], [3], [4]])("version %i: rows, row ids and count equal lancedb's", async (version) => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`, { version });
    const expected = await oracleRows(name, { version });
    const batch = await ds.scan();
    expect(toRows(batch)).toEqual(expected.map(({ _rowid, ...r }) => r));
    expect(Array.from(batch.rowIds, BigInt)).toEqual(expected.map((r) => r._rowid));
    const table = await (await oracle()).openTable(name);
    await table.checkout(version);
    expect(await ds.countRows()).toBe(await table.countRows());
  });

  it("filters and limits like lancedb's where", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    const filter = [
      { column: "id", op: ">=", value: 990n },
      { column: "value", op: "<", value: 503 },
    ] as const;
    const expected = await oracleRows(name, { where: "id >= 990 AND value < 503" });
    const batch = await ds.scan({ filter: [...filter] });
    expect(toRows(batch)).toEqual(expected.map(({ _rowid, ...r }) => r));
    expect(await ds.countRows([...filter])).toBe(expected.length);
    const limited = await ds.scan({ filter: [...filter], limit: 3, columns: ["value"] });
    expect(toRows(limited)).toEqual(expected.slice(0, 3).map((r) => ({ value: r.value })));
  });

  it("takes rows by address in the requested order and never returns deleted rows", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    const expected = await oracleRows(name);
    const picks = [expected[500]!, expected[3]!, expected[1200]!, expected[0]!];
    const deletedAddress = 7; // id 7 = fragment 0 row 7, deleted by "id % 7 = 0"
    const got = await ds.take([...picks.map((r) => Number(r._rowid)), deletedAddress]);
    expect(toRows(got)).toEqual(picks.map(({ _rowid, ...r }) => r));
    expect(Array.from(got.rowIds)).toEqual(picks.map((r) => Number(r._rowid)));
  });

  it("refuses a version that does not exist", async () => {
    await expect(openDataset(await datasetStore(name), `${name}.lance`, { version: 9 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("deletion files and range reads", () => {
  it("applies a large deletion file like lancedb", async () => {
    const ds = await openDataset(await datasetStore("deletes_many"), "deletes_many.lance");
    const expected = await oracleRows("deletes_many");
    const batch = await ds.scan();
    expect(await ds.countRows()).toBe(expected.length);
    expect(toRows(batch)).toEqual(expected.map(({ _rowid, ...r }) => r));
  });

  it("reads a projected column of a large file without fetching the other columns", async () => {
    const inner = await datasetStore("strings_v2_2");
    const store = new CountingStore(inner);
    const ds = await openDataset(store, "strings_v2_2.lance");
    await ds.scan({ columns: ["id"] });
    const total = (await inner.list({ prefix: "strings_v2_2.lance/data/" })).objects.reduce((n, o) => n + o.size, 0);
    // The long-string column alone is ~1.6 MB; reading just `id` must stay far below the file size.
    expect(store.bytes).toBeLessThan(total / 10);
  });
});

/** Splits a protobuf message into its fields (key + value bytes), for rewriting manifests in tests. */
function protoFields(bytes: Uint8Array): { field: number; raw: Uint8Array; payload: Uint8Array | null }[] {
  const out: { field: number; raw: Uint8Array; payload: Uint8Array | null }[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const [key, afterKey] = readVarint(bytes, pos);
    const wire = Number(key) & 7;
    pos = afterKey;
    let payload: Uint8Array | null = null;
    if (wire === 0) pos = readVarint(bytes, pos)[1];
    else if (wire === 2) {
      const [len, afterLen] = readVarint(bytes, pos);
      payload = bytes.subarray(afterLen, afterLen + Number(len));
      pos = afterLen + Number(len);
    } else pos += wire === 1 ? 8 : 4;
    out.push({ field: Math.floor(Number(key) / 8), raw: bytes.subarray(start, pos), payload });
  }
  return out;
}

function lengthDelimited(field: number, payload: number[]): number[] {
  const varint = (n: number) => {
    const o: number[] = [];
    do {
      o.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      n = Math.floor(n / 128);
    } while (n > 0);
    return o;
  };
  return [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
}

describe("manifests of older writers", () => {
  it("derives missing physical_rows and num_deleted_rows from the files", async () => {
    const source = await datasetStore("versions");
    const store = new MemoryObjectStore();
    for (const o of (await source.list({ prefix: "versions.lance/" })).objects) {
      let bytes = new Uint8Array(await (await source.get(o.key))!.arrayBuffer());
      if (o.key.endsWith(".manifest")) {
        // Drop DataFragment.physical_rows (4) and DeletionFile.num_deleted_rows (4), re-append the
        // manifest section and point the footer at it.
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const pos = Number(view.getBigUint64(bytes.length - 16, true));
        const manifest = bytes.subarray(pos + 4, pos + 4 + view.getUint32(pos, true));
        const rewritten = protoFields(manifest).flatMap((f) => {
          if (f.field !== 2) return [...f.raw];
          const fragment = protoFields(f.payload!).flatMap((g) => {
            if (g.field === 4) return [];
            if (g.field !== 3) return [...g.raw];
            return lengthDelimited(3, protoFields(g.payload!).flatMap((h) => (h.field === 4 ? [] : [...h.raw])));
          });
          return lengthDelimited(2, fragment);
        });
        const body = bytes.subarray(0, bytes.length - 16);
        const out = new Uint8Array(body.length + 4 + rewritten.length + 16);
        out.set(body);
        const ov = new DataView(out.buffer);
        ov.setUint32(body.length, rewritten.length, true);
        out.set(rewritten, body.length + 4);
        out.set(bytes.subarray(bytes.length - 16), out.length - 16);
        ov.setBigUint64(out.length - 16, BigInt(body.length), true);
        bytes = out;
      }
      await store.put(o.key, bytes);
    }
    const ds = await openDataset(store, "versions.lance");
    expect(ds.manifest.fragments.every((f) => f.physicalRows === 0 && (f.deletion?.deletedRows ?? 0) === 0)).toBe(true);
    const expected = await oracleRows("versions");
    expect(await ds.countRows()).toBe(expected.length);
    expect(toRows(await ds.scan())).toEqual(expected.map(({ _rowid, ...r }) => r));
  });
});
