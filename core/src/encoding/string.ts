/**
 * String streams (docs/format.md, "String stream"): plain (lengths + concatenated WTF-8 bytes) or
 * dictionary (distinct strings in first-seen order + codes), chosen by an estimate from UTF-16
 * lengths and the distinct count, without trial-encoding both. Dictionary codes are an int stream,
 * so any number of distinct values works (codes up to 2^32 - 1 bit-pack, wider fall back to plain).
 */
import { ByteReader, ByteWriter, corrupt } from "./bytes";
import { StringEncoding } from "./ids";
import { readIntStream, writeIntStream } from "./int";
import { hasEncodedSurrogate, isAscii, readUtf8, writeUtf8 } from "./utf8";

const utf8Decoder = new TextDecoder("utf-8");

function writePlainBody(w: ByteWriter, values: readonly string[], start: number, count: number): void {
  let units = 0;
  for (let i = 0; i < count; i++) units += values[start + i]!.length;
  // Sized for ASCII (one byte per unit); non-ASCII text grows it.
  const bytes = new ByteWriter(units + 16);
  const lengths = new Float64Array(count);
  for (let i = 0; i < count; i++) lengths[i] = writeUtf8(bytes, values[start + i]!);
  writeIntStream(w, lengths, 0, count, 1);
  w.varint(bytes.length);
  w.bytes(bytes.subarray());
}

function readPlainBody(r: ByteReader, count: number, out: string[], outPos: number): void {
  const lengths = new Float64Array(count);
  readIntStream(r, count, lengths, 0, 1);
  const total = r.count(r.remaining, "string bytes length");
  const start = r.pos;
  const bytes = r.take(total, "string bytes");
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const len = lengths[i]!;
    if (!(len >= 0 && Number.isInteger(len))) corrupt(`string length ${len} is not a byte count`);
    sum += len;
  }
  if (sum !== total) corrupt(`string lengths add up to ${sum}, not the ${total} bytes stored`);
  const all = r.bytes;
  if (isAscii(all, start, start + total)) {
    // One native decode and cheap slices beat a decoder call per string; ASCII bytes are UTF-16 units 1:1.
    const text = utf8Decoder.decode(bytes);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const len = lengths[i]!;
      out[outPos + i] = text.slice(pos, pos + len);
      pos += len;
    }
    return;
  }
  if (!hasEncodedSurrogate(all, start, start + total)) {
    // Valid UTF-8: one native decode, then slice by UTF-16 length, counted from the bytes (every
    // byte that is not a continuation starts one unit, a 4-byte sequence two).
    const text = utf8Decoder.decode(bytes);
    let bytePos = start;
    let unitPos = 0;
    for (let i = 0; i < count; i++) {
      const end = bytePos + lengths[i]!;
      let units = 0;
      for (let b = bytePos; b < end; b++) {
        const byte = all[b]!;
        if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1;
      }
      out[outPos + i] = text.slice(unitPos, unitPos + units);
      unitPos += units;
      bytePos = end;
    }
    return;
  }
  let pos = start;
  for (let i = 0; i < count; i++) {
    const len = lengths[i]!;
    out[outPos + i] = readUtf8(all, pos, pos + len);
    pos += len;
  }
}

/** Distinct strings with their codes (first-seen order), or null once a dictionary cannot pay (over half distinct). */
export function distinctStrings(values: readonly string[], start: number, count: number): Map<string, number> | null {
  const limit = Math.max(1, count >>> 1);
  const distinct = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const s = values[start + i]!;
    if (!distinct.has(s)) {
      distinct.set(s, distinct.size);
      if (distinct.size > limit) return null;
    }
  }
  return distinct;
}

/**
 * Appends a string stream for `values[start, start+count)` and returns the encoding id chosen.
 * `distinct` may pass in the result of {@link distinctStrings} when the caller computed it already.
 */
export function writeStringStream(
  w: ByteWriter,
  values: readonly string[],
  start: number,
  count: number,
  distinct: Map<string, number> | null = count >= 2 ? distinctStrings(values, start, count) : null,
): StringEncoding {
  if (distinct) {
    let allChars = 0;
    for (let i = 0; i < count; i++) allChars += values[start + i]!.length;
    let distinctChars = 0;
    for (const s of distinct.keys()) distinctChars += s.length;
    const codeBytes = Math.max(1, Math.ceil(Math.log2(distinct.size + 1))) / 8;
    const plainEstimate = allChars + count;
    const dictEstimate = distinctChars + distinct.size + count * codeBytes;
    if (dictEstimate < plainEstimate) {
      w.u8(StringEncoding.Dictionary);
      w.varint(count);
      w.varint(distinct.size);
      writePlainBody(w, [...distinct.keys()], 0, distinct.size);
      const codes = new Float64Array(count);
      for (let i = 0; i < count; i++) codes[i] = distinct.get(values[start + i]!)!;
      writeIntStream(w, codes, 0, count, 1);
      return StringEncoding.Dictionary;
    }
  }
  w.u8(StringEncoding.Plain);
  w.varint(count);
  writePlainBody(w, values, start, count);
  return StringEncoding.Plain;
}

/** A dictionary-encoded string stream kept as codes: value i is `dictionary[codes[i]]`. */
export interface StringCodes {
  readonly dictionary: readonly string[];
  readonly codes: Uint32Array;
}

function readDictionaryBody(r: ByteReader, count: number): StringCodes {
  const size = r.count(count, "string dictionary size");
  const dictionary: string[] = new Array<string>(size);
  readPlainBody(r, size, dictionary, 0);
  const raw = new Float64Array(count);
  readIntStream(r, count, raw, 0, 1);
  const codes = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const code = raw[i]!;
    if (!(code >= 0 && code < size && Number.isInteger(code))) corrupt(`dictionary code ${code} is outside the ${size}-entry dictionary`);
    codes[i] = code;
  }
  return { dictionary, codes };
}

function readStreamHeader(r: ByteReader, count: number): number {
  const id = r.u8("string encoding id");
  const stated = r.varint("string stream count");
  if (stated !== count) corrupt(`string stream holds ${stated} values where ${count} were expected`);
  if (id !== StringEncoding.Plain && id !== StringEncoding.Dictionary) corrupt(`unknown string encoding id ${id}`);
  return id;
}

/**
 * Reads a string stream of exactly `count` values. A dictionary stream comes back as its dictionary
 * and codes (each checked against the dictionary size), so a reader can evaluate predicates once per
 * distinct value and build strings only for the rows it keeps; a plain stream comes back as values.
 */
export function readStringStreamOrCodes(r: ByteReader, count: number): { id: StringEncoding; values: string[] } | ({ id: StringEncoding } & StringCodes) {
  if (readStreamHeader(r, count) === StringEncoding.Dictionary) return { id: StringEncoding.Dictionary, ...readDictionaryBody(r, count) };
  const values = new Array<string>(count);
  readPlainBody(r, count, values, 0);
  return { id: StringEncoding.Plain, values };
}

/** Reads a string stream of exactly `count` values into `out[outPos..]`; returns its encoding id. */
export function readStringStream(r: ByteReader, count: number, out: string[], outPos: number): StringEncoding {
  if (readStreamHeader(r, count) === StringEncoding.Plain) {
    readPlainBody(r, count, out, outPos);
    return StringEncoding.Plain;
  }
  const { dictionary, codes } = readDictionaryBody(r, count);
  for (let i = 0; i < count; i++) out[outPos + i] = dictionary[codes[i]!]!;
  return StringEncoding.Dictionary;
}
