/**
 * Integer streams: the workhorse encoding under int, bool, tag, dictionary-code and string-length
 * data (docs/format.md, "Int stream"). Input is a Float64Array of exact safe integers; the encoder
 * picks the smallest of plain, frame-of-reference bit-packing, delta, run-length and dictionary by
 * a one-pass size estimate (no trial encoding). Decoding writes straight into a caller-supplied
 * Float64Array with the generated kernels, no per-value calls.
 *
 * Nesting: run-length and dictionary streams contain child int streams. Depth 0 may use every
 * encoding, depth 1 no dictionary, depth 2 only plain / frame of reference / delta, so decoding
 * recursion is bounded at 3 levels whatever the bytes say.
 */
import { bitWidth, packBits, packedWordCount, unpackBits } from "./bitpack";
import { ByteReader, ByteWriter, corrupt } from "./bytes";
import { IntEncoding } from "./ids";

const TWO_32 = 4294967296;
const MAX_DEPTH = 2;

interface IntProfile {
  min: number;
  max: number;
  minDelta: number;
  maxDelta: number;
  runs: number;
}

function profile(values: Float64Array, start: number, count: number): IntProfile {
  let min = Infinity;
  let max = -Infinity;
  let minDelta = Infinity;
  let maxDelta = -Infinity;
  let runs = count > 0 ? 1 : 0;
  let prev = count > 0 ? values[start]! : 0;
  for (let i = 0; i < count; i++) {
    const v = values[start + i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (i > 0) {
      const d = v - prev;
      if (d < minDelta) minDelta = d;
      if (d > maxDelta) maxDelta = d;
      if (d !== 0) runs++;
    }
    prev = v;
  }
  return { min, max, minDelta, maxDelta, runs };
}

function forBytes(count: number, range: number): number {
  return range < TWO_32 ? 16 + 4 * packedWordCount(count, bitWidth(range)) : Infinity;
}

/** Distinct values of a sample; returns null when the column looks too diverse for a dictionary. */
function distinctIfFew(values: Float64Array, start: number, count: number): Map<number, number> | null {
  const sample = Math.min(count, 1024);
  const seen = new Set<number>();
  for (let i = 0; i < sample; i++) seen.add(values[start + i]!);
  if (seen.size * 4 > sample) return null;
  const distinct = new Map<number, number>();
  const limit = Math.max(16, count >>> 3);
  for (let i = 0; i < count; i++) {
    const v = values[start + i]!;
    if (!distinct.has(v)) {
      distinct.set(v, 0);
      if (distinct.size > limit) return null;
    }
  }
  return distinct;
}

function writeForBody(w: ByteWriter, values: Float64Array, start: number, count: number, min: number, max: number): void {
  const base = count > 0 ? min : 0;
  const width = count > 0 ? bitWidth(max - min) : 0;
  w.f64(base);
  w.u8(width);
  w.align(4);
  w.words(packBits(values, start, count, base, width), packedWordCount(count, width));
}

/**
 * Appends an int stream for `values[start, start+count)` and returns the encoding id chosen.
 * Values must be exact integers with |v| <= 2^53 - 1 (never -0).
 */
export function writeIntStream(w: ByteWriter, values: Float64Array, start: number, count: number, depth = 0): IntEncoding {
  const p = profile(values, start, count);
  const plain = 16 + 8 * count;
  const forSize = count === 0 ? 16 : forBytes(count, p.max - p.min);
  // A delta whose magnitude reaches 2^53 may have been rounded, so only exact deltas qualify.
  const deltaExact = count > 1 && Math.abs(p.minDelta) <= Number.MAX_SAFE_INTEGER && Math.abs(p.maxDelta) <= Number.MAX_SAFE_INTEGER;
  const deltaSize = deltaExact ? 8 + forBytes(count - 1, p.maxDelta - p.minDelta) : Infinity;
  const valueBytes = p.max - p.min < TWO_32 ? Math.max(1, bitWidth(p.max - p.min)) / 8 : 8;
  const rleSize = depth < MAX_DEPTH && p.runs * 4 < count ? 40 + p.runs * (valueBytes + bitWidth(Math.ceil((2 * count) / p.runs)) / 8) : Infinity;
  let best: IntEncoding = IntEncoding.Plain;
  let bestSize = plain;
  if (forSize <= bestSize) [best, bestSize] = [IntEncoding.FrameOfReference, forSize];
  if (deltaSize < bestSize) [best, bestSize] = [IntEncoding.Delta, deltaSize];
  if (rleSize < bestSize) [best, bestSize] = [IntEncoding.RunLength, rleSize];
  let dictionary: Map<number, number> | null = null;
  const codeWidth = Math.max(1, bitWidth(Math.floor(count / 8)));
  if (depth === 0 && count >= 64 && bestSize > 16 + (count * codeWidth) / 8) {
    dictionary = distinctIfFew(values, start, count);
    if (dictionary) {
      const d = dictionary.size;
      const dictSize = 40 + d * valueBytes + (count * Math.max(1, bitWidth(d - 1))) / 8;
      if (dictSize < bestSize) [best, bestSize] = [IntEncoding.Dictionary, dictSize];
    }
  }
  w.u8(best);
  w.varint(count);
  switch (best) {
    case IntEncoding.Plain:
      w.align(8);
      for (let i = 0; i < count; i++) w.f64(values[start + i]!);
      break;
    case IntEncoding.FrameOfReference:
      writeForBody(w, values, start, count, p.min, p.max);
      break;
    case IntEncoding.Delta: {
      const deltas = new Float64Array(count - 1);
      for (let i = 1; i < count; i++) deltas[i - 1] = values[start + i]! - values[start + i - 1]!;
      w.f64(values[start]!);
      writeForBody(w, deltas, 0, count - 1, p.minDelta, p.maxDelta);
      break;
    }
    case IntEncoding.RunLength:
      writeRuns(w, values, start, count, p.runs, depth);
      break;
    case IntEncoding.Dictionary:
      writeDictionary(w, values, start, count, dictionary!, depth);
      break;
  }
  return best;
}

function writeRuns(w: ByteWriter, values: Float64Array, start: number, count: number, runs: number, depth: number): void {
  const runValues = new Float64Array(runs);
  const runLengths = new Float64Array(runs);
  let r = 0;
  let runStart = 0;
  for (let i = 1; i <= count; i++) {
    if (i === count || values[start + i] !== values[start + i - 1]) {
      runValues[r] = values[start + i - 1]!;
      runLengths[r] = i - runStart;
      r++;
      runStart = i;
    }
  }
  w.varint(runs);
  writeIntStream(w, runValues, 0, runs, depth + 1);
  writeIntStream(w, runLengths, 0, runs, depth + 1);
}

function writeDictionary(w: ByteWriter, values: Float64Array, start: number, count: number, distinct: Map<number, number>, depth: number): void {
  const sorted = Float64Array.from(distinct.keys()).sort();
  for (let i = 0; i < sorted.length; i++) distinct.set(sorted[i]!, i);
  const codes = new Float64Array(count);
  for (let i = 0; i < count; i++) codes[i] = distinct.get(values[start + i]!)!;
  w.varint(sorted.length);
  writeIntStream(w, sorted, 0, sorted.length, depth + 1);
  writeIntStream(w, codes, 0, count, depth + 1);
}

/**
 * Appends the stream {@link writeIntStream} would write for `count` copies of `value` (frame of
 * reference, width 0) without materialising them.
 */
export function writeConstantIntStream(w: ByteWriter, value: number, count: number): IntEncoding {
  w.u8(IntEncoding.FrameOfReference);
  w.varint(count);
  w.f64(count > 0 ? value : 0);
  w.u8(0);
  w.align(4);
  return IntEncoding.FrameOfReference;
}

function readForBody(r: ByteReader, count: number, out: Float64Array, outPos: number, base: number): void {
  const width = r.u8("bit width");
  if (width > 32) corrupt(`bit width ${width} is above 32`);
  r.align(4, 0);
  const words = r.words(packedWordCount(count, width), "bit-packed words");
  unpackBits(words, 0, count, width, base, out, outPos);
}

/**
 * If the stream at the reader is a constant (frame of reference of width 0), consumes it and returns
 * the constant; otherwise returns null and leaves the reader where it was. Lets callers fill a
 * narrow array (e.g. tags) without a Float64Array pass.
 */
export function readConstantIntStream(r: ByteReader, count: number): number | null {
  const start = r.pos;
  if (r.u8("int encoding id") !== IntEncoding.FrameOfReference) {
    r.pos = start;
    return null;
  }
  if (r.varint("int stream count") !== count) corrupt(`int stream does not hold the ${count} values expected`);
  const base = r.f64("frame base");
  if (r.u8("bit width") !== 0) {
    r.pos = start;
    return null;
  }
  r.align(4, 0);
  return base;
}

/**
 * Reads an int stream of exactly `count` values into `out[outPos, outPos+count)` and returns its
 * encoding id. `out` must have room; every count inside the stream is checked against `count`.
 */
export function readIntStream(r: ByteReader, count: number, out: Float64Array, outPos: number, depth = 0): IntEncoding {
  const id = r.u8("int encoding id");
  const stated = r.varint("int stream count");
  if (stated !== count) corrupt(`int stream holds ${stated} values where ${count} were expected`);
  switch (id) {
    case IntEncoding.Plain: {
      r.align(8, 0);
      r.need(count * 8, "plain int values");
      for (let i = 0; i < count; i++) out[outPos + i] = r.f64();
      return IntEncoding.Plain;
    }
    case IntEncoding.FrameOfReference:
      readForBody(r, count, out, outPos, r.f64("frame base"));
      return IntEncoding.FrameOfReference;
    case IntEncoding.Delta: {
      if (count === 0) corrupt("delta stream with no values");
      const first = r.f64("delta first value");
      const minDelta = r.f64("delta base");
      out[outPos] = first;
      readForBody(r, count - 1, out, outPos + 1, minDelta);
      for (let i = outPos + 1; i < outPos + count; i++) out[i] = out[i - 1]! + out[i]!;
      return IntEncoding.Delta;
    }
    case IntEncoding.RunLength:
      if (depth >= MAX_DEPTH) corrupt("run-length stream nested too deeply");
      readRuns(r, count, out, outPos, depth);
      return IntEncoding.RunLength;
    case IntEncoding.Dictionary:
      if (depth !== 0) corrupt("dictionary stream nested inside another stream");
      readDictionary(r, count, out, outPos, depth);
      return IntEncoding.Dictionary;
    default:
      return corrupt(`unknown int encoding id ${id}`);
  }
}

function readRuns(r: ByteReader, count: number, out: Float64Array, outPos: number, depth: number): void {
  const runs = r.count(count, "run count");
  const runValues = new Float64Array(runs);
  const runLengths = new Float64Array(runs);
  readIntStream(r, runs, runValues, 0, depth + 1);
  readIntStream(r, runs, runLengths, 0, depth + 1);
  let pos = 0;
  for (let i = 0; i < runs; i++) {
    const len = runLengths[i]!;
    if (!(len >= 1 && len <= count - pos && Number.isInteger(len))) corrupt(`run length ${len} does not fit the ${count} values`);
    out.fill(runValues[i]!, outPos + pos, outPos + pos + len);
    pos += len;
  }
  if (pos !== count) corrupt(`runs cover ${pos} of ${count} values`);
}

function readDictionary(r: ByteReader, count: number, out: Float64Array, outPos: number, depth: number): void {
  const size = r.count(count, "dictionary size");
  const dict = new Float64Array(size);
  readIntStream(r, size, dict, 0, depth + 1);
  readIntStream(r, count, out, outPos, depth + 1);
  for (let i = outPos; i < outPos + count; i++) {
    const v = dict[out[i]!];
    if (v === undefined) corrupt(`dictionary code ${out[i]} is outside the ${size}-entry dictionary`);
    out[i] = v;
  }
}
