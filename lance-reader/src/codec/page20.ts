/**
 * File version 2.0 pages: a tree of `lance.encodings.ArrayEncoding` (encodings_v2_0.proto) whose
 * leaves point at the page's buffers by index. Validity bitmaps are Arrow-style (LSB first,
 * 1 = valid); string offsets store each row's end, with nulls marked by adding `null_adjustment`.
 */
import { check, unsupported } from "../errors";
import { parseProto, type ProtoMessage } from "../protobuf";
import { fsstDecompress, parseFsstTable } from "./fsst";
import type { DecodedPage } from "./page21";
import { applyDictionary } from "./page21";
import { fixed, type Raw } from "./raw";

const MAX_DEPTH = 16;
const NAMES = ["", "flat", "nullable", "fixed_size_list", "list", "struct", "binary", "dictionary", "fsst", "packed_struct", "bitpacked", "fixed_size_binary", "bitpacked_for_non_neg", "constant"];

interface Decoded {
  raw: Raw;
  validity: Uint8Array | null;
}

function bufferOf(ref: ProtoMessage | undefined, buffers: Uint8Array[]): Uint8Array {
  const index = ref?.uint(1) ?? 0;
  if (ref && ref.uint(2) !== 0) throw unsupported("2.0 column- or file-level buffers");
  const buffer = buffers[index];
  check(buffer !== undefined, `2.0 encoding refers to missing page buffer ${index}`);
  return buffer;
}

/** Unpacks plain LSB-first bit-packing (2.0 `bitpacked`) into `bits`-wide values. */
function unpackPlain(buffer: Uint8Array, width: number, bits: number, count: number, signed: boolean): Uint8Array {
  check(buffer.length * 8 >= width * count, "2.0 bit-packed buffer is truncated");
  const step = bits / 8;
  const out = new Uint8Array(count * step);
  for (let i = 0; i < count; i++) {
    let value = 0n;
    for (let b = 0; b < width; b++) {
      const p = i * width + b;
      if ((buffer[p >> 3]! >> (p & 7)) & 1) value |= 1n << BigInt(b);
    }
    if (signed && width > 0 && (value >> BigInt(width - 1)) & 1n) value -= 1n << BigInt(width);
    value = BigInt.asUintN(bits, value);
    for (let k = 0; k < step; k++) out[i * step + k] = Number((value >> BigInt(8 * k)) & 0xffn);
  }
  return out;
}

function decode(enc: ProtoMessage, buffers: Uint8Array[], rows: number, depth: number): Decoded {
  check(depth <= MAX_DEPTH, "2.0 encoding tree nested too deeply");
  let kind = 0;
  for (let f = 1; f <= 21; f++) if (enc.has(f)) { kind = f; break; }
  const body = enc.message(kind);
  if (!body) throw unsupported("a 2.0 array encoding with no known variant");
  switch (kind) {
    case 1: {
      if (body.has(3) && body.message(3)!.string(1) !== "") throw unsupported(`2.0 flat ${body.message(3)!.string(1)} compression`);
      return { raw: fixed(body.uint(1), bufferOf(body.message(2), buffers), rows), validity: null };
    }
    case 2: {
      if (body.has(1)) return decode(body.message(1)!.message(1)!, buffers, rows, depth + 1);
      if (body.has(3)) return { raw: fixed(0, new Uint8Array(0), rows), validity: new Uint8Array(rows) };
      const some = body.message(2)!;
      const validityRaw = decode(some.message(1)!, buffers, rows, depth + 1).raw;
      check(validityRaw.kind === "fixed" && validityRaw.bits === 1, "2.0 validity is not a bitmap");
      const validity = new Uint8Array(rows);
      for (let i = 0; i < rows; i++) validity[i] = (validityRaw.bytes[i >> 3]! >> (i & 7)) & 1;
      return { raw: decode(some.message(2)!, buffers, rows, depth + 1).raw, validity };
    }
    case 3: {
      const dimension = body.uint(1);
      check(dimension > 0 && !body.bool(3), "2.0 fixed-size list with item validity");
      const items = decode(body.message(2)!, buffers, rows * dimension, depth + 1).raw;
      check(items.kind === "fixed", "2.0 fixed-size list of variable items");
      return { raw: { kind: "fixed", bits: items.bits * dimension, bytes: items.bytes, count: rows }, validity: null };
    }
    case 6: {
      const ends = decode(body.message(1)!, buffers, rows, depth + 1).raw;
      check(ends.kind === "fixed" && (ends.bits === 64 || ends.bits === 32), "2.0 string offsets are not integers");
      const nullAdjustment = body.uint(3);
      const view = new DataView(ends.bytes.buffer, ends.bytes.byteOffset, ends.bytes.byteLength);
      const offsets = new Uint32Array(rows + 1);
      const validity = new Uint8Array(rows);
      let anyNull = false;
      let maxEnd = 0;
      for (let i = 0; i < rows; i++) {
        let end = ends.bits === 64 ? view.getUint32(i * 8, true) + view.getUint32(i * 8 + 4, true) * 2 ** 32 : view.getUint32(i * 4, true);
        const isNull = nullAdjustment > 0 && end >= nullAdjustment;
        if (isNull) {
          end -= nullAdjustment;
          anyNull = true;
        }
        validity[i] = isNull ? 0 : 1;
        check(end >= offsets[i]!, "2.0 string offsets decrease");
        offsets[i + 1] = end;
        maxEnd = end;
      }
      const bytes: Raw = rows === 0 ? fixed(8, new Uint8Array(0), 0) : decode(body.message(2)!, buffers, maxEnd, depth + 1).raw;
      check(bytes.kind === "fixed" && bytes.bits === 8, "2.0 string bytes are not bytes");
      return { raw: { kind: "variable", offsets, bytes: bytes.bytes, count: rows }, validity: anyNull ? validity : null };
    }
    case 7: {
      // 2.0 dictionaries reserve index 0 for null; entry k of the dictionary has index k + 1.
      const indices = decode(body.message(1)!, buffers, rows, depth + 1).raw;
      const items = decode(body.message(2)!, buffers, body.uint(3), depth + 1).raw;
      check(indices.kind === "fixed" && (indices.bits === 8 || indices.bits === 16 || indices.bits === 32), "2.0 dictionary indices are not integers");
      const step = indices.bits / 8;
      const shifted = new Uint32Array(rows);
      const validity = new Uint8Array(rows);
      for (let i = 0; i < rows; i++) {
        let v = 0;
        for (let k = step - 1; k >= 0; k--) v = v * 256 + indices.bytes[i * step + k]!;
        validity[i] = v === 0 ? 0 : 1;
        shifted[i] = v === 0 ? 0 : v - 1;
      }
      const raw = applyDictionary({ kind: "fixed", bits: 32, bytes: new Uint8Array(shifted.buffer), count: rows }, items);
      return { raw, validity: validity.includes(0) ? validity : null };
    }
    case 8: {
      const inner = decode(body.message(1)!, buffers, rows, depth + 1);
      check(inner.raw.kind === "variable", "2.0 FSST over fixed values");
      const out = fsstDecompress(parseFsstTable(body.bytes(2)), inner.raw.offsets, inner.raw.bytes);
      return { raw: { kind: "variable", offsets: out.offsets, bytes: out.bytes, count: rows }, validity: inner.validity };
    }
    case 10: {
      const bits = body.uint(2);
      check(bits === 8 || bits === 16 || bits === 32 || bits === 64, "2.0 bit-packed width");
      const width = body.uint(1);
      check(width <= bits, "2.0 bit-packed width exceeds the value width");
      return { raw: { kind: "fixed", bits, bytes: unpackPlain(bufferOf(body.message(3), buffers), width, bits, rows, body.bool(4)), count: rows }, validity: null };
    }
    default:
      throw unsupported(`the 2.0 ${NAMES[kind] ?? `#${kind}`} encoding`);
  }
}

/** Decodes one 2.0 page from its `ArrayEncoding` bytes and buffers. */
export function decodePage20(encodingBytes: Uint8Array, buffers: Uint8Array[], rows: number): DecodedPage {
  const { raw, validity } = decode(parseProto(encodingBytes), buffers, rows, 0);
  check(raw.count === rows, "2.0 page decoded to the wrong row count");
  return { raw, validity, rows };
}
