import type { JsonValue } from "@evodb/core";
import { Random } from "./random";

/**
 * Seeded random JSON documents for property tests, and an exact deep-equality for checking round
 * trips. The generator leans on the cases that break shredders and codecs: the same path holding
 * different types across documents, integers beyond 2^53 (as `bigint`), -0, astral characters and
 * lone surrogates, keys with dots, quotes or nothing at all, `__proto__` as a key, empty containers,
 * null next to missing, deep nesting, and non-object roots.
 */

/** Options for {@link randomDocuments} / {@link randomJsonValue}. */
export interface RandomDocumentOptions {
  /** Deepest nesting of objects/arrays (default 6). */
  maxDepth?: number;
  /** Most members per object (default 6). */
  maxMembers?: number;
  /** Most elements per array (default 5). */
  maxElements?: number;
  /** Probability that a document's root is not an object (default 0.05). */
  nonObjectRootRate?: number;
}

/**
 * Keys drawn from a small shared vocabulary so that paths recur across documents (and so carry
 * mixed types), plus awkward ones. Integer-like keys are included on purpose: JavaScript orders them
 * first, so key order is not preserved by any JSON round trip in JS.
 */
const KEYS = [
  "id", "name", "value", "tags", "user", "meta", "a", "b", "c", "count", "x.y", "a.b.c", "", '"q"',
  "\\", "__proto__", "constructor", "0", "10", "é", "键", "🔑", "sp ace", "\u0000nul", ".", "..",
];

const STRINGS = [
  "", "a", "hello world", "naïve café", "日本語", "😀🎉", "\ud800", "x\udc00y", "\ud83d", "\"quoted\"",
  "back\\slash", "line\nbreak\ttab", "\u0000\u001f\u007f", "\u2028\u2029", "-0", "1e400", "null",
];

/** One random scalar (null, boolean, number, bigint or string). */
export function randomScalar(random: Random): JsonValue {
  switch (random.int(0, 11)) {
    case 0: return null;
    case 1: return random.chance(0.5);
    case 2: return random.int(-1000, 1000);
    case 3: return random.pick([0, -0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
    case 4: return (random.next() - 0.5) * 10 ** random.int(-10, 10);
    case 5: return random.pick([0.1, -2.5, 1e300, -1e-300, 5e-324, Number.MAX_VALUE, 2 ** 53, 1e21, 123456.789]);
    case 6: return randomBigInt(random);
    case 7: return random.pick(STRINGS);
    case 8: return randomString(random, random.int(0, 24));
    case 9: return random.int(0, 2 ** 31);
    case 10: return random.chance(0.5) ? "" : random.pick(STRINGS);
    default: return random.int(-5, 5) + random.pick([0, 0.5, 0.25]);
  }
}

/** A random integer outside the safe range, as a `bigint`. */
export function randomBigInt(random: Random): bigint {
  const magnitude = random.pick([
    2n ** 53n,
    2n ** 53n + BigInt(random.int(1, 1000)),
    2n ** 63n - 1n,
    2n ** 64n,
    BigInt(random.nextUint32()) * 2n ** 40n + BigInt(random.nextUint32()),
    10n ** BigInt(random.int(16, 60)) + BigInt(random.nextUint32()),
  ]);
  return random.chance(0.5) ? -magnitude : magnitude;
}

/**
 * A random string of `length` UTF-16 code units drawn from ASCII, escapes, BMP text, astral pairs and
 * lone surrogates.
 */
export function randomString(random: Random, length: number): string {
  let out = "";
  while (out.length < length) {
    const kind = random.int(0, 9);
    if (kind <= 4) out += String.fromCharCode(random.int(0x20, 0x7e));
    else if (kind === 5) out += String.fromCharCode(random.int(0, 0x1f));
    else if (kind === 6) out += String.fromCharCode(random.int(0xa0, 0xd7ff));
    else if (kind === 7) out += String.fromCodePoint(random.int(0x10000, 0x10ffff));
    else if (kind === 8) out += String.fromCharCode(random.int(0xd800, 0xdfff));
    else out += random.pick(['"', "\\", "/", "."]);
  }
  return out;
}

/** A random JSON value of at most `depth` further nesting levels. */
export function randomJsonValue(random: Random, depth: number, options: RandomDocumentOptions = {}): JsonValue {
  const roll = random.next();
  if (depth <= 0 || roll < 0.45) return randomScalar(random);
  if (roll < 0.75) return randomObject(random, depth, options);
  const maxElements = options.maxElements ?? 5;
  const array: JsonValue[] = [];
  const length = random.chance(0.15) ? 0 : random.int(1, maxElements);
  // Arrays of objects with recurring keys and arrays of arrays are both common in real data.
  const elementKind = random.int(0, 2);
  for (let i = 0; i < length; i++) {
    if (elementKind === 0) array.push(randomScalar(random));
    else if (elementKind === 1) array.push(randomObject(random, depth - 1, options));
    else array.push(randomJsonValue(random, depth - 1, options));
  }
  return array;
}

/** A random object (possibly empty) of at most `depth` further nesting levels. */
export function randomObject(random: Random, depth: number, options: RandomDocumentOptions = {}): { [key: string]: JsonValue } {
  const object: { [key: string]: JsonValue } = {};
  const members = random.chance(0.1) ? 0 : random.int(1, options.maxMembers ?? 6);
  for (let i = 0; i < members; i++) {
    const key = random.chance(0.9) ? random.pick(KEYS) : randomString(random, random.int(0, 6));
    const value = depth > 0 ? randomJsonValue(random, depth - 1, options) : randomScalar(random);
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return object;
}

/**
 * `count` random documents from `seed`: mostly objects (some deeply nested, some empty), a few bare
 * scalars or arrays at the root. Same seed, same documents.
 */
export function randomDocuments(seed: number, count: number, options: RandomDocumentOptions = {}): JsonValue[] {
  const random = new Random(seed);
  const maxDepth = options.maxDepth ?? 6;
  const nonObjectRootRate = options.nonObjectRootRate ?? 0.05;
  const docs: JsonValue[] = [];
  for (let i = 0; i < count; i++) {
    if (random.chance(nonObjectRootRate)) docs.push(randomJsonValue(random, random.int(0, 3), options));
    else docs.push(randomObject(random, random.int(0, maxDepth), options));
  }
  return docs;
}

/**
 * `count` realistic event documents (~20 fields, nested `user`/`device`/`geo` objects, ISO and epoch
 * timestamps, a high-cardinality id, optional and nullable fields, a small tags array), for
 * throughput measurements and tests that want typical rather than hostile data.
 */
export function randomEventDocuments(seed: number, count: number): JsonValue[] {
  const random = new Random(seed);
  const types = ["click", "view", "purchase", "signup", "logout", "scroll"];
  const countries = ["US", "DE", "FR", "JP", "BR", "IN", "GB", "NG"];
  const docs: JsonValue[] = [];
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i++) {
    const ts = start + i * 1000 + random.int(0, 999);
    const event: { [key: string]: JsonValue } = {
      id: `evt_${i.toString(36)}_${random.nextUint32().toString(36)}`,
      type: random.pick(types),
      ts,
      time: new Date(ts).toISOString(),
      user: {
        id: random.int(1, 50_000),
        name: `user${random.int(1, 50_000)}`,
        premium: random.chance(0.2),
        score: Math.round(random.next() * 10_000) / 100,
      },
      device: { os: random.pick(["ios", "android", "web"]), version: `${random.int(1, 17)}.${random.int(0, 9)}` },
      geo: { country: random.pick(countries), lat: random.next() * 180 - 90, lon: random.next() * 360 - 180 },
      session: random.int(1, 1_000_000),
      duration_ms: random.int(0, 60_000),
      amount: random.chance(0.1) ? Math.round(random.next() * 100_000) / 100 : null,
      page: `/p/${random.int(1, 500)}`,
      referrer: random.chance(0.3) ? `https://ref${random.int(1, 40)}.example/` : null,
      tags: random.chance(0.5) ? [random.pick(types), random.pick(countries)] : [],
      ok: random.chance(0.97),
    };
    if (random.chance(0.3)) event.campaign = `c${random.int(1, 30)}`;
    if (random.chance(0.05)) event.error = { code: random.int(400, 599), message: "request failed" };
    docs.push(event);
  }
  return docs;
}

/**
 * Exact equality of JSON values: numbers with `Object.is` (so -0 differs from 0), bigints by value
 * (and never equal to a number), strings by code units, objects by their own enumerable keys in any
 * order, arrays in order.
 */
export function jsonDeepEqual(a: unknown, b: unknown): boolean {
  return jsonDifference(a, b) === undefined;
}

/**
 * The first difference between two JSON values as `"<path>: <what>"`, or `undefined` when they are
 * equal under {@link jsonDeepEqual}. Meant for readable test failures.
 */
export function jsonDifference(a: unknown, b: unknown): string | undefined {
  const found = findDifference(a, b);
  if (found === undefined) return undefined;
  // The path is only built for the (rare) failing case, so equal values cost no string work.
  const [segments, what] = found;
  return `$${segments.reverse().join("")}: ${what}`;
}

/** The reversed path segments to the first difference and what differs there. */
function findDifference(a: unknown, b: unknown): [string[], string] | undefined {
  if (typeof a !== typeof b) return mismatch(a, b);
  if (typeof a === "number") return Object.is(a, b) ? undefined : mismatch(a, b);
  if (typeof a !== "object" || a === null || b === null) return a === b ? undefined : mismatch(a, b);
  const bObject = b as object;
  if (Array.isArray(a) !== Array.isArray(bObject)) return mismatch(a, b);
  if (Array.isArray(a)) {
    const bArray = bObject as unknown[];
    if (a.length !== bArray.length) return [[], `array length ${a.length} vs ${bArray.length}`];
    for (let i = 0; i < a.length; i++) {
      const found = findDifference(a[i], bArray[i]);
      if (found !== undefined) {
        found[0].push(`[${i}]`);
        return found;
      }
    }
    return undefined;
  }
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(bObject);
  if (aKeys.length !== bKeys.length) return [[], `keys ${JSON.stringify(aKeys)} vs ${JSON.stringify(bKeys)}`];
  for (const key of aKeys) {
    if (!Object.prototype.hasOwnProperty.call(bObject, key)) return [[], `key ${JSON.stringify(key)} missing on the right`];
    const found = findDifference((a as Record<string, unknown>)[key], (bObject as Record<string, unknown>)[key]);
    if (found !== undefined) {
      found[0].push(`[${JSON.stringify(key)}]`);
      return found;
    }
  }
  return undefined;
}

function mismatch(a: unknown, b: unknown): [string[], string] {
  return [[], `${describe(a)} vs ${describe(b)}`];
}

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (value === undefined) return "undefined (missing)";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}
