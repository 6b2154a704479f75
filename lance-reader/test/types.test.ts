import { describe, expect, it } from "vitest";
import { openDataset, toRows } from "../src/index";
import { TYPE_VERSIONS, STRING_VERSIONS, tableName } from "../scripts/make-fixtures";
import { datasetStore, oracleRows, ours } from "./helpers";

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
});
