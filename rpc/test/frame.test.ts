import { readFileSync } from "node:fs";
import { crc32c, isEvoDBError } from "@evodb/core";
import { Random } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame, type Frame } from "../src/frame";
import { CDC_PROTOCOL_VERSION, MAX_BATCH_ENTRIES, MAX_FRAME_BYTES } from "../src/protocol";

const fromHex = (hex: string): Uint8Array => new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

interface Fixture {
  name: string;
  frame: Record<string, unknown>;
  hex: string;
}
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/frames.json", import.meta.url), "utf8")) as Fixture[];

function fixtureFrame(f: Fixture): Frame {
  return (f.frame["type"] === "batch" ? { ...f.frame, walBatch: fromHex(f.frame["walBatch"] as string) } : f.frame) as unknown as Frame;
}

/** Rewrites the CRC trailer so a mutated payload reaches the layout parser. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32c(out, 0, out.length - 4), true);
  return out;
}

function expectRefused(bytes: Uint8Array, code: "CORRUPT_FRAME" | "UNSUPPORTED_VERSION" = "CORRUPT_FRAME"): void {
  let caught: unknown;
  try {
    decodeFrame(bytes);
  } catch (error) {
    caught = error;
  }
  expect(isEvoDBError(caught, code), `expected ${code}, got ${String(caught)}`).toBe(true);
}

function randomString(random: Random, maxChars: number, alphabet?: string): string {
  const length = random.int(1, maxChars);
  let out = "";
  for (let i = 0; i < length; i++) {
    out += alphabet ? alphabet[random.int(0, alphabet.length - 1)] : String.fromCodePoint(random.pick([random.int(32, 126), random.int(0xa0, 0x2fff), random.int(0x1f300, 0x1f5ff)]));
  }
  return out;
}

const TENANT_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

function randomLsn(random: Random): number {
  return random.pick([0, 1, random.int(0, 1000), random.int(0, 0xffffffff) * random.int(0, 0x1fffff) + random.int(0, 0xfffff), Number.MAX_SAFE_INTEGER]);
}

function randomFrame(random: Random): Frame {
  switch (random.int(0, 6)) {
    case 0:
      return { type: "hello", lastAckedLsn: randomLsn(random), sourceId: randomString(random, 40), tenant: `t${randomString(random, 30, TENANT_ALPHABET)}`, credentials: random.chance(0.2) ? "" : randomString(random, 100) };
    case 1:
      return { type: "welcome", ackedLsn: randomLsn(random), creditWindow: random.int(1, 65535), maxFrameBytes: random.int(0, 0xffffffff) };
    case 2: {
      const firstLsn = random.int(0, 1_000_000);
      const entryCount = random.int(1, MAX_BATCH_ENTRIES);
      return { type: "batch", firstLsn, lastLsn: firstLsn + entryCount - 1, entryCount, walBatch: random.bytes(random.int(0, 300)) };
    }
    case 3:
      return { type: "ack", ackedLsn: randomLsn(random), creditWindow: random.int(0, 65535) };
    case 4:
      return { type: "error", code: random.int(0, 65535), message: random.chance(0.1) ? "" : randomString(random, 200) };
    default:
      return { type: random.chance(0.5) ? "ping" : "pong", nonce: random.nextUint32() };
  }
}

describe("CDC frame golden bytes (docs/cdc-protocol.md)", () => {
  for (const fixture of fixtures) {
    it(`${fixture.name}: encodes to and decodes from the fixture`, () => {
      const frame = fixtureFrame(fixture);
      expect(toHex(encodeFrame(frame))).toBe(fixture.hex);
      expect(decodeFrame(fromHex(fixture.hex))).toEqual(frame);
    });
  }

  it("lays out a PING exactly as spec §2 and §3.6 describe", () => {
    const body = [0x45, 0x43, CDC_PROTOCOL_VERSION, 0x06, 4, 0, 0, 0, 0x78, 0x56, 0x34, 0x12];
    const expected = reseal(new Uint8Array([...body, 0, 0, 0, 0]));
    expect(toHex(encodeFrame({ type: "ping", nonce: 0x12345678 }))).toBe(toHex(expected));
  });
});

describe("CDC frame round trip", () => {
  it("round-trips 5,000 seeded random frames", { timeout: 120_000 }, () => {
    const random = new Random(20261125);
    for (let i = 0; i < 5000; i++) {
      const frame = randomFrame(random);
      expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
    }
  });

  it("keeps LSN 0 and 2^53 - 1 exact", () => {
    for (const lsn of [0, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(decodeFrame(encodeFrame({ type: "ack", ackedLsn: lsn, creditWindow: 1 }))).toEqual({ type: "ack", ackedLsn: lsn, creditWindow: 1 });
    }
  });

  it("carries a 1 MB batch payload and strings at their byte limits", () => {
    const walBatch = new Random(1).bytes(1024 * 1024);
    const decoded = decodeFrame(encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 4096, entryCount: 4096, walBatch }));
    expect(decoded.type === "batch" && Buffer.from(decoded.walBatch).equals(walBatch)).toBe(true);
    const hello: Frame = { type: "hello", lastAckedLsn: 0, sourceId: "s".repeat(256), tenant: "t".repeat(128), credentials: "c".repeat(1024) };
    expect(decodeFrame(encodeFrame(hello))).toEqual(hello);
  });

  it("refuses to encode what no receiver may accept", () => {
    const tooBig: Frame = { type: "batch", firstLsn: 1, lastLsn: 1, entryCount: 1, walBatch: new Uint8Array(MAX_FRAME_BYTES) };
    expect(() => encodeFrame(tooBig)).toThrow(expect.objectContaining({ code: "LIMIT_EXCEEDED" }));
    expect(() => encodeFrame({ type: "ack", ackedLsn: 2 ** 53, creditWindow: 1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    for (const tenant of ["../other", "-leading-dash", "", "a/b", "t".repeat(129)]) {
      expect(() => encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "s", tenant, credentials: "" })).toThrow(expect.objectContaining({ code: "INVALID_NAME" }));
    }
    expect(() => encodeFrame({ type: "batch", firstLsn: 5, lastLsn: 4, entryCount: 1, walBatch: new Uint8Array() })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("CDC frame decoder refuses hostile input", () => {
  const ping = encodeFrame({ type: "ping", nonce: 1 });
  const hello = encodeFrame({ type: "hello", lastAckedLsn: 3, sourceId: "src", tenant: "acme", credentials: "x" });

  it("truncated at every length", () => {
    for (let length = 0; length < hello.length; length++) expectRefused(hello.subarray(0, length));
  });

  it("wrong version → UNSUPPORTED_VERSION, even with a broken checksum", () => {
    const v2 = hello.slice();
    v2[2] = 2;
    expectRefused(v2, "UNSUPPORTED_VERSION");
    expectRefused(reseal(v2), "UNSUPPORTED_VERSION");
  });

  it("bad magic, bad checksum, unknown type, lying length, trailing bytes", () => {
    const badMagic = ping.slice();
    badMagic[0] = 0x46;
    expectRefused(reseal(badMagic));
    const badCrc = ping.slice();
    badCrc[9] = badCrc[9]! ^ 0x01;
    expectRefused(badCrc);
    const unknownType = ping.slice();
    unknownType[3] = 0x7f;
    expectRefused(reseal(unknownType));
    const lyingLength = ping.slice();
    lyingLength[4] = 3;
    expectRefused(reseal(lyingLength));
    // A PING with 5 payload bytes: the length matches the message but the layout has a spare byte.
    const trailing = new Uint8Array(17);
    trailing.set(ping.subarray(0, 12));
    trailing[4] = 5;
    expectRefused(reseal(trailing));
  });

  it("oversized frames are refused before the checksum is computed", () => {
    const big = new Uint8Array(MAX_FRAME_BYTES + 1);
    big.set(ping.subarray(0, 8));
    let caught: unknown;
    try {
      decodeFrame(big);
    } catch (error) {
      caught = error;
    }
    expect(isEvoDBError(caught, "CORRUPT_FRAME") && caught.details?.["oversized"]).toBe(true);
  });

  it("LSN above 2^53 - 1, invalid UTF-8, bad tenant, bad batch header", () => {
    const ack = encodeFrame({ type: "ack", ackedLsn: 1, creditWindow: 1 });
    ack[12] = 0x00;
    ack[13] = 0x00;
    ack[14] = 0x20; // high word 0x00200000 → 2^53
    expectRefused(reseal(ack));
    const badUtf8 = hello.slice();
    badUtf8[18] = 0xff; // first byte of "src"
    expectRefused(reseal(badUtf8));
    const badTenant = hello.slice();
    badTenant[23] = 0x2f; // "/" inside "acme"
    expectRefused(reseal(badTenant));
    const zeroEntries = encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 1, entryCount: 1, walBatch: new Uint8Array(2) });
    zeroEntries[24] = 0;
    expectRefused(reseal(zeroEntries));
    const backwards = encodeFrame({ type: "batch", firstLsn: 9, lastLsn: 10, entryCount: 2, walBatch: new Uint8Array(2) });
    backwards[8] = 11; // firstLsn 11 > lastLsn 10
    expectRefused(reseal(backwards));
    const gap = encodeFrame({ type: "batch", firstLsn: 9, lastLsn: 10, entryCount: 2, walBatch: new Uint8Array(2) });
    gap[16] = 11; // lastLsn 11: three LSNs for two entries
    expectRefused(reseal(gap));
  });

  it("10,000 seeded mutations: every result is a clean refusal or a canonical frame", { timeout: 120_000 }, () => {
    const random = new Random(0xcdc);
    let refused = 0;
    for (let i = 0; i < 10_000; i++) {
      const original = encodeFrame(randomFrame(random));
      let mutated: Uint8Array;
      switch (random.int(0, 4)) {
        case 0: // flip bits (checksum must catch it)
          mutated = original.slice();
          for (let n = random.int(1, 4); n > 0; n--) mutated[random.int(0, mutated.length - 1)]! ^= 1 << random.int(0, 7);
          break;
        case 1: // truncate
          mutated = original.subarray(0, random.int(0, original.length - 1));
          break;
        case 2: // random bytes behind a valid header
          mutated = random.bytes(random.int(0, 64));
          mutated.set(original.subarray(0, Math.min(8, mutated.length)));
          break;
        default: // corrupt the payload, then fix the checksum so the layout parser sees it
          mutated = original.slice();
          for (let n = random.int(1, 3); n > 0; n--) mutated[random.int(3, mutated.length - 5)] = random.nextUint32() & 0xff;
          mutated = reseal(mutated);
      }
      try {
        const frame = decodeFrame(mutated);
        expect(toHex(encodeFrame(frame))).toBe(toHex(mutated));
      } catch (error) {
        if (!isEvoDBError(error)) throw error;
        expect(["CORRUPT_FRAME", "UNSUPPORTED_VERSION"]).toContain(error.code);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(5000);
  });
});
