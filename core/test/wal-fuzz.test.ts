import { jsonDifference, Random, randomDocuments } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { crc32c, decodeWalBatch, encodeWalBatch, isEvoDBError, type WalEntry, type WalOp } from "../src/index";

const ALLOWED_CODES = new Set(["CORRUPT_WAL", "UNSUPPORTED_VERSION"]);

function sampleBatch(seed: number, count: number): { entries: WalEntry[]; bytes: Uint8Array } {
  const random = new Random(seed);
  const ops: WalOp[] = ["insert", "update", "delete"];
  let lsn = 100;
  const entries = randomDocuments(seed, count, { maxDepth: 3 }).map((document, i): WalEntry => {
    const op = random.pick(ops);
    lsn += random.int(1, 3);
    const entry: WalEntry = { table: random.pick(["users", "orders", "é"]), primaryKey: random.chance(0.5) ? i : [`k${i}`, BigInt(i) * 10n ** 18n], lsn, op, time: 1_767_225_600_000 + i };
    if (op !== "delete") entry.document = document;
    return entry;
  });
  return { entries, bytes: encodeWalBatch(entries) };
}

/** Recomputes the CRC so that a mutation reaches the structural checks behind it. */
function fixCrc(bytes: Uint8Array): void {
  if (bytes.length < 36) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const bodyEnd = 32 + view.getUint32(12, true);
  if (bodyEnd + 4 <= bytes.length) view.setUint32(bodyEnd, crc32c(bytes, 0, bodyEnd), true);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function mutate(random: Random, original: Uint8Array): Uint8Array {
  let bytes: Uint8Array = original.slice();
  const steps = random.int(1, 3);
  for (let s = 0; s < steps; s++) {
    const at = random.int(0, Math.max(0, bytes.length - 1));
    switch (random.int(0, 7)) {
      case 0: // flip one bit
        bytes[at] = bytes[at]! ^ (1 << random.int(0, 7));
        break;
      case 1: // random byte
        bytes[at] = random.int(0, 255);
        break;
      case 2: // truncate
        bytes = bytes.slice(0, random.int(0, bytes.length - 1));
        break;
      case 3: // insert random bytes
        bytes = concat(bytes.subarray(0, at), random.bytes(random.int(1, 8)), bytes.subarray(at));
        break;
      case 4: // delete a range
        bytes = concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + random.int(1, 16))));
        break;
      case 5: // a hostile 32-bit length or count anywhere
        if (at + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(at, random.pick([0xffffffff, 0x7fffffff, 0x01000000, 0x10000, random.nextUint32()]), true);
        break;
      case 6: // a hostile 16-bit length
        if (at + 2 <= bytes.length) new DataView(bytes.buffer).setUint16(at, random.pick([0xffff, 0, 257, 1025]), true);
        break;
      default: // copy a chunk over another place (duplicated entries, shuffled fields)
        bytes.copyWithin(at, random.int(0, bytes.length - 1), random.int(0, bytes.length));
    }
  }
  return bytes;
}

/** Decodes hostile bytes: either an allowed EvoDBError, or entries that are themselves valid. */
function decodeHostile(bytes: Uint8Array): "refused" | "accepted" {
  let entries: WalEntry[];
  try {
    entries = decodeWalBatch(bytes);
  } catch (error) {
    if (!isEvoDBError(error) || !ALLOWED_CODES.has(error.code)) {
      throw new Error(`decoder threw a non-WAL error on hostile bytes: ${String(error)}`, { cause: error });
    }
    return "refused";
  }
  // Accepted bytes must decode to entries the encoder accepts and that round-trip.
  const again = decodeWalBatch(encodeWalBatch(entries));
  for (let i = 0; i < entries.length; i++) {
    const difference = jsonDifference({ ...again[i] }, { ...entries[i] });
    if (difference !== undefined) throw new Error(`accepted entry ${i} does not round-trip: ${difference}`);
  }
  return "accepted";
}

describe("WAL decoder on hostile input", { timeout: 60_000 }, () => {
  const samples = [sampleBatch(1, 1), sampleBatch(2, 8), sampleBatch(3, 25), sampleBatch(4, 0)];

  it("refuses 10,000 mutated batches (CRC left as is) unless the bytes are unchanged", () => {
    const random = new Random(2026);
    let refused = 0;
    for (let i = 0; i < 10_000; i++) {
      const sample = samples[i % samples.length]!;
      const mutated = mutate(random, sample.bytes);
      const outcome = decodeHostile(mutated);
      if (outcome === "refused") refused++;
      else expect(Buffer.from(mutated).equals(Buffer.from(sample.bytes)), `mutation ${i} accepted changed bytes`).toBe(true);
    }
    expect(refused).toBeGreaterThan(9_500);
  }, 120_000);

  it("survives 10,000 mutated batches whose CRC was recomputed (structural checks only)", () => {
    const random = new Random(77);
    let refused = 0;
    for (let i = 0; i < 10_000; i++) {
      const mutated = mutate(random, samples[i % samples.length]!.bytes);
      fixCrc(mutated);
      if (decodeHostile(mutated) === "refused") refused++;
    }
    // Most structural damage is caught; the rest decodes to valid entries (e.g. a changed letter).
    expect(refused).toBeGreaterThan(5_000);
  }, 120_000);

  it("refuses every truncation of a batch", () => {
    const { bytes } = samples[2]!;
    for (let length = 0; length < bytes.length; length++) {
      expect(decodeHostile(bytes.subarray(0, length)), `prefix of ${length} bytes`).toBe("refused");
    }
  });

  it("refuses 2,000 random buffers, with and without a valid-looking header", () => {
    const random = new Random(5);
    for (let i = 0; i < 2_000; i++) {
      const bytes = random.bytes(random.int(0, 300));
      if (i % 2 === 0 && bytes.length >= 36) {
        bytes.set([0x45, 0x56, 0x57, 0x4c, 1, 0, 0, 0]);
        fixCrc(bytes);
      }
      expect(decodeHostile(bytes)).toBe("refused");
    }
  });

  describe("named hostile batches with a valid CRC", () => {
    function withValidCrc(edit: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
      const bytes = samples[1]!.bytes.slice();
      edit(new DataView(bytes.buffer), bytes);
      fixCrc(bytes);
      return bytes;
    }
    function expectCorrupt(bytes: Uint8Array, code = "CORRUPT_WAL"): void {
      let caught: unknown;
      try {
        decodeWalBatch(bytes);
      } catch (error) {
        caught = error;
      }
      expect(isEvoDBError(caught) && caught.code, String(caught)).toBe(code);
    }
    // Second entry's fixed fields start after the first entry; find it from the first entry's lengths.
    function secondEntry(view: DataView): number {
      return 32 + 25 + view.getUint16(33, true) + view.getUint16(35, true) + view.getUint32(37, true);
    }

    it("LSN going backwards within the batch", () => {
      expectCorrupt(withValidCrc((view) => view.setUint32(secondEntry(view) + 9, 0, true)));
    });
    it("an LSN beyond 2^53-1", () => {
      expectCorrupt(withValidCrc((view) => view.setUint32(32 + 13, 0x00200000, true)));
    });
    it("unknown op code", () => {
      expectCorrupt(withValidCrc((view) => view.setUint8(32, 9)));
    });
    it("unknown version", () => {
      expectCorrupt(withValidCrc((view) => view.setUint16(4, 7, true)), "UNSUPPORTED_VERSION");
    });
    it("entry count of 2^32-1", () => {
      expectCorrupt(withValidCrc((view) => view.setUint32(8, 0xffffffff, true)));
    });
    it("body length of 2^32-1", () => {
      const bytes = samples[1]!.bytes.slice();
      new DataView(bytes.buffer).setUint32(12, 0xffffffff, true);
      expectCorrupt(bytes);
    });
    it("a document length reaching far past the batch", () => {
      expectCorrupt(withValidCrc((view) => view.setUint32(32 + 5, 0x7fffffff, true)));
    });
    it("header first LSN disagreeing with the entries", () => {
      expectCorrupt(withValidCrc((view) => view.setUint32(16, view.getUint32(16, true) + 1, true)));
    });
    it("invalid UTF-8 in a table name", () => {
      expectCorrupt(withValidCrc((_, bytes) => bytes.set([0xc3, 0x28], 32 + 25)));
    });
    it("reserved flags set", () => {
      expectCorrupt(withValidCrc((view) => view.setUint16(6, 1, true)));
    });
    it("trailing bytes after the batch", () => {
      expectCorrupt(new Uint8Array([...samples[1]!.bytes, 0]));
    });
  });
});

describe("WAL decoder on documents the encoder never writes", { timeout: 60_000 }, () => {
  /** A one-entry batch whose document is `text`, built by hand with a valid CRC. */
  function batchWithDocumentText(text: string): Uint8Array {
    const table = new TextEncoder().encode("t");
    const key = new TextEncoder().encode("1");
    const document = new TextEncoder().encode(text);
    const body = 25 + table.length + key.length + document.length;
    const bytes = new Uint8Array(32 + body + 4);
    const view = new DataView(bytes.buffer);
    bytes.set([0x45, 0x56, 0x57, 0x4c, 1, 0, 0, 0]);
    view.setUint32(8, 1, true);
    view.setUint32(12, body, true);
    view.setUint32(16, 7, true);
    view.setUint32(24, 7, true);
    bytes[32] = 1;
    view.setUint16(33, table.length, true);
    view.setUint16(35, key.length, true);
    view.setUint32(37, document.length, true);
    view.setUint32(41, 7, true);
    bytes.set(table, 57);
    bytes.set(key, 58);
    bytes.set(document, 59);
    view.setUint32(32 + body, crc32c(bytes, 0, 32 + body), true);
    return bytes;
  }

  it("accepts the hand-built batch when the document is ordinary (the builder is right)", () => {
    expect(decodeWalBatch(batchWithDocumentText('{"a":[1,2]}'))[0]!.document).toEqual({ a: [1, 2] });
  });

  it.each([
    ["a number overflowing to Infinity", '{"a":-1e400}'],
    ["a 400-digit decimal", `[${"9".repeat(400)}.5]`],
    ["nesting 100,000 deep", "[".repeat(100_000) + "]".repeat(100_000)],
    ["nesting one past the limit", "[".repeat(1001) + "]".repeat(1001)],
  ])("refuses %s as CORRUPT_WAL", (_, text) => {
    let caught: unknown;
    try {
      decodeWalBatch(batchWithDocumentText(text));
    } catch (error) {
      caught = error;
    }
    expect(isEvoDBError(caught, "CORRUPT_WAL"), String(caught)).toBe(true);
  });

  it("accepts nesting exactly at the limit", () => {
    const text = "[".repeat(1000) + "]".repeat(1000);
    expect(() => decodeWalBatch(batchWithDocumentText(text))).not.toThrow();
  });
});
