import { readFileSync } from "node:fs";
import { jsonDifference, Random, randomDocuments } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import {
  crc32c,
  decodeWalBatch,
  decodeWalBatches,
  encodeWalBatch,
  isEvoDBError,
  readWalBatchInfo,
  WAL_MAX_BATCH_BYTES,
  WAL_MAX_ENTRIES,
  WAL_MAX_KEY_BYTES,
  WAL_MAX_TABLE_BYTES,
  type EvoDBErrorCode,
  type WalEntry,
  type WalOp,
  type WalPrimaryKey,
} from "../src/index";
import { WAL_V1_GOLDEN_ENTRIES } from "./fixtures/wal-v1-entries";

/** Seeded random entries with strictly increasing LSNs and documents from the shared generator. */
function randomEntries(seed: number, count: number): WalEntry[] {
  const random = new Random(seed);
  const documents = randomDocuments(seed, count);
  const tables = ["users", "orders", "événements", "表", "t".repeat(WAL_MAX_TABLE_BYTES)];
  const ops: WalOp[] = ["insert", "update", "delete"];
  let lsn = random.int(0, 1000);
  return documents.map((document, i) => {
    lsn += random.chance(0.1) ? random.int(1, 2 ** 31) : 1;
    const op = random.pick(ops);
    const entry: WalEntry = { table: random.pick(tables), primaryKey: randomKey(random), lsn, op, time: random.int(0, 2 ** 32) * 1000 + i };
    if (op !== "delete") entry.document = document;
    return entry;
  });
}

function randomKey(random: Random): WalPrimaryKey {
  const part = (): string | number | bigint =>
    random.pick([
      () => random.int(-1e9, 1e9),
      () => `key-${random.nextUint32().toString(36)}`,
      () => BigInt(Number.MAX_SAFE_INTEGER) * BigInt(random.int(2, 1000)),
      () => random.pick(["", "😀", "\ud800", "-0", 0.5, -0]),
    ])();
  return random.chance(0.2) ? Array.from({ length: random.int(1, 4) }, part) : part();
}

function expectSameEntries(actual: WalEntry[], expected: WalEntry[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const difference = jsonDifference({ ...actual[i] }, { ...expected[i] });
    expect(difference, `entry ${i}`).toBeUndefined();
  }
}

function expectCode(action: () => unknown, code: EvoDBErrorCode): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(isEvoDBError(caught, code), `expected EvoDBError ${code}, got ${String(caught)}`).toBe(true);
}

describe("WAL batch codec: round trips", { timeout: 60_000 }, () => {
  it("round-trips 200 seeded random batches exactly (documents, keys, LSNs, times)", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const entries = randomEntries(seed, new Random(seed).int(0, 60));
      const bytes = encodeWalBatch(entries);
      expectSameEntries(decodeWalBatch(bytes), entries);
      const info = readWalBatchInfo(bytes);
      expect(info.entryCount).toBe(entries.length);
      expect(info.byteLength).toBe(bytes.length);
      expect(info.firstLsn).toBe(entries[0]?.lsn ?? 0);
      expect(info.lastLsn).toBe(entries[entries.length - 1]?.lsn ?? 0);
    }
  });

  it("round-trips an empty batch", () => {
    const bytes = encodeWalBatch([]);
    expect(bytes.length).toBe(36);
    expect(decodeWalBatch(bytes)).toEqual([]);
  });

  it("round-trips edge values: LSN and time 2^53-1, LSN 0, a 1 MB string document, huge and negative-zero keys", () => {
    const megabyte = "é😀".repeat(1 << 18);
    const entries: WalEntry[] = [
      { table: "t", primaryKey: -0, lsn: 0, op: "insert", document: { text: megabyte }, time: 0 },
      { table: "t", primaryKey: 2n ** 64n, lsn: 1, op: "update", document: [2 ** 53 - 1, -(2n ** 70n), -0, 1e300], time: 1 },
      { table: "t", primaryKey: ["a", 1, 2n ** 63n], lsn: Number.MAX_SAFE_INTEGER, op: "delete", time: Number.MAX_SAFE_INTEGER },
    ];
    expectSameEntries(decodeWalBatch(encodeWalBatch(entries)), entries);
  });

  it("round-trips a table name and primary key at their length limits", () => {
    const table = "é".repeat(WAL_MAX_TABLE_BYTES / 2);
    const primaryKey = "k".repeat(WAL_MAX_KEY_BYTES - 2); // JSON quotes make it exactly the limit
    const entries: WalEntry[] = [{ table, primaryKey, lsn: 5, op: "insert", document: 1, time: 9 }];
    expectSameEntries(decodeWalBatch(encodeWalBatch(entries)), entries);
  });

  it("reads consecutive batches as one segment and requires LSNs to rise across them", () => {
    const first = randomEntries(3, 20);
    const last = first[first.length - 1]!.lsn;
    const second = randomEntries(4, 20).map((entry, i) => ({ ...entry, lsn: last + 1 + i }));
    const segment = new Uint8Array([...encodeWalBatch(first), ...encodeWalBatch([]), ...encodeWalBatch(second)]);
    expectSameEntries(decodeWalBatches(segment), [...first, ...second]);
    const backwards = new Uint8Array([...encodeWalBatch(second), ...encodeWalBatch(first)]);
    expectCode(() => decodeWalBatches(backwards), "CORRUPT_WAL");
    expectCode(() => decodeWalBatch(segment), "CORRUPT_WAL");
  });
});

describe("WAL batch codec: golden bytes (format v1)", { timeout: 60_000 }, () => {
  const golden = new Uint8Array(readFileSync(new URL("./fixtures/wal-v1.bin", import.meta.url)));

  it("decodes the committed v1 fixture to its entries", () => {
    expectSameEntries(decodeWalBatch(golden), WAL_V1_GOLDEN_ENTRIES);
  });

  it("encodes the fixture's entries to the identical bytes", () => {
    expect(Buffer.from(encodeWalBatch(WAL_V1_GOLDEN_ENTRIES)).equals(Buffer.from(golden))).toBe(true);
  });

  it("has the header of docs/wal.md", () => {
    const view = new DataView(golden.buffer, golden.byteOffset, golden.length);
    expect(new TextDecoder().decode(golden.subarray(0, 4))).toBe("EVWL");
    expect(view.getUint16(4, true)).toBe(1);
    expect(view.getUint32(8, true)).toBe(WAL_V1_GOLDEN_ENTRIES.length);
    expect(32 + view.getUint32(12, true) + 4).toBe(golden.length);
    expect(view.getUint32(16, true)).toBe(1);
    expect(view.getUint32(golden.length - 4, true)).toBe(crc32c(golden, 0, golden.length - 4));
    // First entry: op insert, table "users" (5 bytes), key "1" (1 byte), LSN 1.
    expect([golden[32], view.getUint16(33, true), view.getUint16(35, true), view.getUint32(41, true)]).toEqual([1, 5, 1, 1]);
  });

  it("refuses the fixture with a future version number", () => {
    const future = golden.slice();
    future[4] = 2;
    expectCode(() => decodeWalBatch(future), "UNSUPPORTED_VERSION");
  });
});

describe("WAL batch codec: encoder refuses what the format cannot hold", { timeout: 60_000 }, () => {
  const base: WalEntry = { table: "t", primaryKey: 1, lsn: 1, op: "insert", document: {}, time: 0 };
  const cases: Array<[string, Partial<WalEntry> | WalEntry[], EvoDBErrorCode]> = [
    ["a fractional LSN", { lsn: 1.5 }, "INVALID_ARGUMENT"],
    ["an LSN beyond 2^53-1", { lsn: 2 ** 53 }, "INVALID_ARGUMENT"],
    ["a negative time", { time: -1 }, "INVALID_ARGUMENT"],
    ["an unknown op", { op: "upsert" as WalOp }, "INVALID_ARGUMENT"],
    ["a delete with a document", { op: "delete", document: {} }, "INVALID_ARGUMENT"],
    ["an insert without a document", { document: undefined }, "INVALID_ARGUMENT"],
    ["an object primary key", { primaryKey: { id: 1 } as unknown as WalPrimaryKey }, "INVALID_ARGUMENT"],
    ["an empty composite key", { primaryKey: [] }, "INVALID_ARGUMENT"],
    ["a NaN primary key", { primaryKey: Number.NaN }, "INVALID_ARGUMENT"],
    ["an empty table name", { table: "" }, "INVALID_NAME"],
    ["a table name with a lone surrogate", { table: "t\ud800" }, "INVALID_NAME"],
    ["a table name over 256 bytes", { table: "t".repeat(WAL_MAX_TABLE_BYTES + 1) }, "LIMIT_EXCEEDED"],
    ["a primary key over 1024 bytes", { primaryKey: "k".repeat(WAL_MAX_KEY_BYTES) }, "LIMIT_EXCEEDED"],
  ];
  for (const [label, change, code] of cases) {
    it(`refuses ${label}`, () => {
      expectCode(() => encodeWalBatch([{ ...base, ...change } as WalEntry]), code);
    });
  }

  it("refuses LSNs that repeat or go backwards", () => {
    expectCode(() => encodeWalBatch([base, { ...base }]), "INVALID_ARGUMENT");
    expectCode(() => encodeWalBatch([{ ...base, lsn: 5 }, { ...base, lsn: 4 }]), "INVALID_ARGUMENT");
  });

  it("refuses more entries than the limit and batches over 16 MiB", () => {
    const tooMany = Array.from({ length: WAL_MAX_ENTRIES + 1 }, (_, i): WalEntry => ({ ...base, lsn: i }));
    expectCode(() => encodeWalBatch(tooMany), "LIMIT_EXCEEDED");
    const half = "x".repeat(WAL_MAX_BATCH_BYTES / 2);
    expectCode(() => encodeWalBatch([{ ...base, document: half }, { ...base, lsn: 2, document: half }]), "LIMIT_EXCEEDED");
  });
});
