import { readFileSync } from "node:fs";
import { crc32c, encodeWalBatch, isEvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { decodeBatchEntries, encodeBatchFrame, validateTableName, type CdcEntry } from "../src/batch";
import { decodeFrame, encodeFrame, type BatchFrame } from "../src/frame";

function randomEntries(random: Random, count: number): CdcEntry[] {
  const entries: CdcEntry[] = [];
  let lsn = random.int(0, 1000);
  for (let i = 0; i < count; i++) {
    lsn += 1;
    const op = random.pick(["insert", "update", "delete"] as const);
    entries.push({
      lsn,
      table: random.pick(["orders", "users", "t_1", "a.b-c"]),
      key: random.chance(0.5) ? String(random.int(0, 1e9)) : `k-${random.int(0, 99)}-é😀`,
      op,
      doc: op === "delete" ? null : JSON.stringify({ id: i, v: random.next(), s: "x".repeat(random.int(0, 50)) }),
      time: 1_764_000_000_000 + random.int(0, 1e6),
    });
  }
  return entries;
}

const decode = (frame: Uint8Array): CdcEntry[] => decodeBatchEntries(decodeFrame(frame) as BatchFrame);

describe("CDC batch entries: core WAL batches inside BATCH frames (spec §3.3.1)", () => {
  it("round-trips 500 seeded random batches", { timeout: 120_000 }, () => {
    const random = new Random(7);
    for (let i = 0; i < 500; i++) {
      const entries = randomEntries(random, random.int(1, 50));
      expect(decode(encodeBatchFrame(entries))).toEqual(entries);
    }
  });

  it("edge cases: one entry, LSN 2^53 - 1, a 1 MB document, empty object, unicode keys", () => {
    const big = JSON.stringify({ id: 1, s: "é".repeat(500_000) });
    const entries: CdcEntry[] = [
      { lsn: Number.MAX_SAFE_INTEGER - 2, table: "t", key: "😀", op: "insert", doc: "{}", time: 0 },
      { lsn: Number.MAX_SAFE_INTEGER - 1, table: "t", key: "b", op: "update", doc: big, time: 1 },
      { lsn: Number.MAX_SAFE_INTEGER, table: "t", key: "c", op: "delete", doc: null, time: Number.MAX_SAFE_INTEGER },
    ];
    expect(decode(encodeBatchFrame(entries))).toEqual(entries);
    expect(decode(encodeBatchFrame([entries[0]!]))).toEqual([entries[0]]);
  });

  it("golden bytes: a BATCH frame around a core WAL batch (fixtures/batch-wal.json)", () => {
    const fixture = JSON.parse(readFileSync(new URL("./fixtures/batch-wal.json", import.meta.url), "utf8")) as { entries: CdcEntry[]; hex: string };
    expect(Buffer.from(encodeBatchFrame(fixture.entries)).toString("hex")).toBe(fixture.hex);
    expect(decode(new Uint8Array(Buffer.from(fixture.hex, "hex")))).toEqual(fixture.entries);
  });

  it("carries core's WAL batch bytes unchanged as the frame payload", () => {
    const entries: CdcEntry[] = [{ lsn: 5, table: "t", key: "k", op: "insert", doc: '{"n":12345678901234567890}', time: 9 }];
    const frame = decodeFrame(encodeBatchFrame(entries)) as BatchFrame;
    const expected = encodeWalBatch([{ table: "t", primaryKey: "k", lsn: 5, op: "insert", document: { n: 12345678901234567890n }, time: 9 }]);
    expect(Buffer.from(frame.walBatch).equals(Buffer.from(expected))).toBe(true);
  });

  it("refuses WAL batches that disagree with the frame header, carry non-string keys or non-object documents", () => {
    const wal = encodeWalBatch([{ table: "t", primaryKey: 7, lsn: 1, op: "insert", document: {}, time: 0 }]);
    const numericKey = encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 1, entryCount: 1, walBatch: wal });
    expect(() => decode(numericKey)).toThrow(expect.objectContaining({ code: "CORRUPT_FRAME" }));
    const gapWal = encodeWalBatch([
      { table: "t", primaryKey: "a", lsn: 1, op: "insert", document: {}, time: 0 },
      { table: "t", primaryKey: "b", lsn: 3, op: "insert", document: {}, time: 0 },
    ]);
    expect(() => decode(encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 2, entryCount: 2, walBatch: gapWal }))).toThrow(expect.objectContaining({ code: "CORRUPT_FRAME" }));
    for (const document of [[1, 2], "text", 7, null, { _evodb_key: "x" }]) {
      const wal = encodeWalBatch([{ table: "t", primaryKey: "a", lsn: 1, op: "insert", document, time: 0 }]);
      expect(() => decode(encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 1, entryCount: 1, walBatch: wal }))).toThrow(expect.objectContaining({ code: "CORRUPT_FRAME" }));
    }
    const shifted = encodeWalBatch([{ table: "t", primaryKey: "a", lsn: 2, op: "insert", document: {}, time: 0 }]);
    expect(() => decode(encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 1, entryCount: 1, walBatch: shifted }))).toThrow(expect.objectContaining({ code: "CORRUPT_FRAME" }));
  });

  it("refuses to encode bad entries", () => {
    const ok: CdcEntry = { lsn: 1, table: "t", key: "k", op: "insert", doc: "{}", time: 0 };
    expect(() => encodeBatchFrame([])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => encodeBatchFrame([ok, ok])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => encodeBatchFrame([{ ...ok, table: "../x" }])).toThrow(expect.objectContaining({ code: "INVALID_NAME" }));
    expect(() => encodeBatchFrame([{ ...ok, op: "delete" }])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => encodeBatchFrame([{ ...ok, key: "" }])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("table names cannot leave the tenant's prefix", () => {
    for (const bad of ["", "..", "a/b", "../acme", ".hidden", "-x", "a..b", "x".repeat(65), "a\\b", "a b"]) expect(validateTableName(bad)).toBe(false);
    for (const good of ["orders", "a.b", "A_1-x", "x".repeat(64)]) expect(validateTableName(good)).toBe(true);
  });

  it("3,000 mutated batches with a repaired checksum: clean refusal or the same entries re-encoded", { timeout: 120_000 }, () => {
    const random = new Random(99);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const frame = encodeBatchFrame(randomEntries(random, random.int(1, 5))).slice();
      for (let n = random.int(1, 3); n > 0; n--) frame[random.int(8, frame.length - 5)] = random.nextUint32() & 0xff;
      new DataView(frame.buffer).setUint32(frame.length - 4, crc32c(frame, 0, frame.length - 4), true);
      let entries: CdcEntry[];
      try {
        entries = decode(frame);
      } catch (error) {
        expect(isEvoDBError(error, "CORRUPT_FRAME") || isEvoDBError(error, "UNSUPPORTED_VERSION"), String(error)).toBe(true);
        refused++;
        continue;
      }
      if (entries.every((entry) => validateTableName(entry.table))) {
        // What decodes is a valid batch: encoding it again gives back the same entries.
        expect(decode(encodeBatchFrame(entries))).toEqual(entries);
      } else {
        // Decodes, but the writer refuses it with 4403 (spec §8); the encoder will not produce it.
        expect(() => encodeBatchFrame(entries)).toThrow(expect.objectContaining({ code: "INVALID_NAME" }));
      }
    }
    expect(refused).toBeGreaterThan(1500);
  });
});
