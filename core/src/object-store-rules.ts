/**
 * R2's rules for keys, ranges, conditions and listing, shared by {@link MemoryObjectStore} and the
 * filesystem store so that both refuse and accept exactly what R2 does. Each rule below was
 * measured against R2 in workerd (miniflare 4.20260426, see object-store.ts for the findings).
 */
import { EvoDBError } from "./errors";
import type { ByteRange, ObjectConditional, ObjectListOptions } from "./object-store";

/** R2's maximum key length, in UTF-8 bytes (a 1025-byte key fails with error 10020). */
export const MAX_OBJECT_KEY_BYTES = 1024;
/** R2's maximum (and default) `list` page size; 0 or 1001 fail with error 10022. */
export const MAX_LIST_LIMIT = 1000;

const utf8 = new TextEncoder();
// With the `u` flag a valid surrogate pair is one code point, so only lone surrogates match.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Throws `INVALID_NAME` unless `key` is a key R2 stores faithfully: at most 1024 UTF-8 bytes and
 * well-formed Unicode (R2 silently replaces a lone surrogate, so such a key would not round-trip).
 */
export function assertValidObjectKey(key: string): void {
  if (typeof key !== "string") {
    throw new EvoDBError("INVALID_NAME", `Object key must be a string, got ${typeof key}.`);
  }
  if (LONE_SURROGATE.test(key)) {
    throw new EvoDBError("INVALID_NAME", "Object key contains a lone UTF-16 surrogate; pass well-formed Unicode.");
  }
  const bytes = utf8.encode(key).length;
  if (bytes > MAX_OBJECT_KEY_BYTES) {
    throw new EvoDBError("INVALID_NAME", `Object key is ${bytes} UTF-8 bytes; the limit is ${MAX_OBJECT_KEY_BYTES} (R2).`, {
      details: { bytes, limit: MAX_OBJECT_KEY_BYTES },
    });
  }
}

/**
 * Orders keys the way R2 lists them: by UTF-8 bytes, which is Unicode code point order. Plain `<`
 * on JS strings compares UTF-16 code units and puts U+1F600 before U+FFFD, unlike R2.
 */
export function compareObjectKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, so they sort after 0xE000-0xFFFF.
    const xHigh = x >= 0xd800 && x <= 0xdfff;
    const yHigh = y >= 0xd800 && y <= 0xdfff;
    if (xHigh !== yHigh) return xHigh ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The `[start, end)` bytes of an object of `size` bytes that `range` selects, with R2's rules:
 * negative or fractional numbers are refused; a range that selects no byte (offset at or past the
 * end, length 0, suffix 0, any range of an empty object) is "not satisfiable" (R2 error 10039);
 * a length running past the end and a suffix longer than the object are clamped.
 */
export function resolveByteRange(range: ByteRange, size: number): { start: number; end: number } {
  let start: number;
  let end: number;
  if ("suffix" in range && range.suffix !== undefined) {
    requireNonNegativeInteger(range.suffix, "suffix");
    start = Math.max(0, size - range.suffix);
    end = range.suffix === 0 ? start : size;
  } else {
    const { offset = 0, length } = range as { offset?: number; length?: number };
    requireNonNegativeInteger(offset, "offset");
    if (length !== undefined) requireNonNegativeInteger(length, "length");
    start = offset;
    end = length === undefined ? size : Math.min(size, offset + length);
  }
  if (start >= size || end <= start) {
    throw new EvoDBError("INVALID_ARGUMENT", `Range ${JSON.stringify(range)} selects no byte of a ${size}-byte object (not satisfiable, as in R2); check the size with head() first.`, {
      details: { size },
    });
  }
  return { start, end };
}

function requireNonNegativeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new EvoDBError("INVALID_ARGUMENT", `Range ${name} must be a non-negative integer, got ${value}.`);
  }
}

/**
 * Whether a put guarded by `onlyIf` may write, given the current etag (`undefined` when the key is
 * absent). Both conditions must hold when both are given. As in R2: `etagMatches` fails on a
 * missing object (also `"*"`, which matches any existing object); `etagDoesNotMatch: "*"` passes
 * only on a missing object; `etagDoesNotMatch: e` passes on a missing object. Quoted etags are
 * refused, as R2 refuses them (TypeError "Conditional ETag should not be wrapped in quotes").
 */
export function conditionHolds(onlyIf: ObjectConditional | undefined, currentEtag: string | undefined): boolean {
  if (onlyIf === undefined) return true;
  const { etagMatches, etagDoesNotMatch } = onlyIf;
  if (etagMatches !== undefined) {
    requireUnquoted(etagMatches);
    if (currentEtag === undefined || (etagMatches !== "*" && etagMatches !== currentEtag)) return false;
  }
  if (etagDoesNotMatch !== undefined) {
    requireUnquoted(etagDoesNotMatch);
    if (currentEtag !== undefined && (etagDoesNotMatch === "*" || etagDoesNotMatch === currentEtag)) return false;
  }
  return true;
}

function requireUnquoted(etag: string): void {
  if (etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"')) {
    throw new EvoDBError("INVALID_ARGUMENT", `Conditional etag ${etag} is quoted; pass the bare etag (StoredObject.etag), as R2 requires.`);
  }
}

/** The page size of a `list` call: R2 accepts integers 1..1000 and defaults to 1000. */
export function resolveListLimit(options: ObjectListOptions | undefined): number {
  const limit = options?.limit ?? MAX_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new EvoDBError("INVALID_ARGUMENT", `List limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}.`);
  }
  return limit;
}

/** A put value as bytes. Copies, so later changes to the caller's buffer do not alter the object. */
export function valueToBytes(value: ArrayBuffer | ArrayBufferView | string): Uint8Array {
  if (typeof value === "string") return utf8.encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
  throw new EvoDBError("INVALID_ARGUMENT", "Object value must be a string, an ArrayBuffer or an ArrayBufferView.");
}
