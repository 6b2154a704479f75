import { describe, expect, it } from "vitest";
import { openDataset, toRows } from "../src/index";
import { TYPE_VERSIONS, STRING_VERSIONS, tableName } from "../scripts/make-fixtures";
import { CountingStore, datasetStore, oracleRows, ours } from "./helpers";

function normalise(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, ours(v)])));
}

describe.each(TYPE_VERSIONS.map((v) => [v]))("every type with nulls, file version %s", (version) => {
  const name = tableName("types", version);

  it("reads every column exactly as lancedb does", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    const batch = await ds.scan();
    const expected = await oracleRows(name);
    expect(batch.length).toBe(expected.length);
    const got = normalise(toRows(batch));
    for (let i = 0; i < expected.length; i++) {
      const { _rowid, ...values } = expected[i]!;
      expect(got[i]).toEqual(values);
      expect(BigInt(batch.rowIds[i]!)).toBe(_rowid);
    }
  });

  it("takes scattered rows (chunk boundaries, nulls, dictionary) exactly as lancedb reads them", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    const expected = await oracleRows(name);
    const picks = [2999, 5, 1500, 1024, 1023, 0, 2047];
    const got = normalise(toRows(await ds.take(picks)));
    expect(got).toEqual(picks.map((i) => {
      const { _rowid, ...values } = expected[i]!;
      return values;
    }));
  });

  it("keeps int64 and uint64 beyond 2^53 exact (bigint)", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    const batch = await ds.scan({ columns: ["i64", "u64"], limit: 4 });
    const rows = toRows(batch);
    expect(rows[1]).toEqual({ i64: 0x7fffffffffffffffn, u64: 0xffffffffffffffffn });
    expect(rows[3]).toEqual({ i64: 9007199254740993n, u64: 9007199254740993n });
  });
});

describe.each(STRING_VERSIONS.map((v) => [v]))("20,000 short (FSST) and long (full-zip) strings, file version %s", (version) => {
  const name = tableName("strings", version);
  it("reads them exactly as lancedb does", async () => {
    const ds = await openDataset(await datasetStore(name), `${name}.lance`);
    const batch = await ds.scan();
    const expected = await oracleRows(name);
    const got = toRows(batch);
    expect(got.length).toBe(expected.length);
    let nulls = 0;
    for (let i = 0; i < expected.length; i++) {
      const { _rowid, ...values } = expected[i]!;
      expect(got[i]).toEqual(values);
      if (values.long === null) nulls++;
    }
    expect(nulls).toBeGreaterThan(0);
  });

  it("takes a few rows reading only the chunks that hold them", async () => {
    const inner = await datasetStore(name);
    const store = new CountingStore(inner);
    const ds = await openDataset(store, `${name}.lance`);
    const expected = await oracleRows(name, { columns: ["short"] });
    const picks = [19_999, 7, 10_000];
    const got = toRows(await ds.take(picks, { columns: ["short"] }));
    expect(got).toEqual(picks.map((i) => ({ short: expected[i]!.short })));
    // Against a full read of the column (one ~170 KB page, plus the same metadata reads); 2.0 pages are read whole.
    const full = new CountingStore(inner);
    await (await openDataset(full, `${name}.lance`)).scan({ columns: ["short"] });
    if (version !== "2.0") expect(store.bytes).toBeLessThan(full.bytes - 60_000);
  });
});
