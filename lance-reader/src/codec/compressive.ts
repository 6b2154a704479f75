/**
 * Interprets a `lance.encodings21.CompressiveEncoding` tree (encodings_v2_1.proto) for the three
 * ways 2.1/2.2 pages use it: per mini-block chunk, per whole buffer ("block", e.g. dictionaries
 * and def levels) and per full-zip value. Unknown or unimplemented encodings are refused by name.
 */
import { check, unsupported } from "../errors";
import { parseProto, type ProtoMessage } from "../protobuf";
import { unpackInline, unpackOutOfLine } from "./fastlanes";
import { fsstDecompress, parseFsstTable, type FsstTable } from "./fsst";
import { lz4DecompressPrefixed } from "./lz4";
import { zstdDecompress } from "./zstd";
import { fixed, readOffsets, type Raw, type VariableRaw } from "./raw";

/** CompressiveEncoding oneof field numbers. */
const FLAT = 1, VARIABLE = 2, OUT_OF_LINE = 4, INLINE = 5, FSST = 6, GENERAL = 10, FIXED_SIZE_LIST = 11;
const NAMES = ["", "flat", "variable", "constant", "out_of_line_bitpacking", "inline_bitpacking", "fsst", "dictionary", "rle", "byte_stream_split", "general", "fixed_size_list", "packed_struct", "variable_packed_struct"];
/** Encoding trees are shallow in practice; a deeper one is hostile input. */
const MAX_DEPTH = 16;

/** The chosen oneof branch of a CompressiveEncoding. */
export function branch(enc: ProtoMessage, depth = 0): [number, ProtoMessage] {
  check(depth <= MAX_DEPTH, "encoding tree nested too deeply");
  for (let f = 1; f <= 13; f++) if (enc.has(f)) return [f, enc.message(f)!];
  throw unsupported("an encoding with no known compression branch");
}

function refuse(kind: number, where: string): never {
  throw unsupported(`the ${NAMES[kind] ?? `#${kind}`} encoding in a ${where}`);
}

function intBits(bits: number): 8 | 16 | 32 | 64 {
  check(bits === 8 || bits === 16 || bits === 32 || bits === 64, `bit-packing of ${bits}-bit values`);
  return bits;
}

/** Applies `BufferCompression` (general LZ4/zstd) to one buffer. */
function decompressBuffer(compression: ProtoMessage | undefined, buffer: Uint8Array): Uint8Array {
  if (!compression) return buffer;
  const scheme = compression.uint(1);
  if (scheme === 0) return buffer;
  if (scheme === 1) return lz4DecompressPrefixed(buffer);
  if (scheme === 2) {
    // A u64 LE uncompressed size, then a zstd frame.
    check(buffer.length >= 8, "zstd buffer is truncated");
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    return zstdDecompress(buffer.subarray(8), view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32);
  }
  throw unsupported(`compression scheme ${scheme}`);
}

/** Bits per value of a fixed-width encoding (flat, fixed_size_list over flat). */
export function fixedWidthBits(enc: ProtoMessage, depth = 0): number {
  const [kind, body] = branch(enc, depth);
  if (kind === FLAT) return body.uint(1);
  if (kind === FIXED_SIZE_LIST) return body.uint(1) * fixedWidthBits(body.message(2) ?? parseProto(new Uint8Array(0)), depth + 1);
  return refuse(kind, "fixed-width value");
}

/** Decodes the value buffers of one mini-block chunk holding `count` values. */
export function decodeMiniBlock(enc: ProtoMessage, buffers: Uint8Array[], count: number, depth = 0): Raw {
  const [kind, body] = branch(enc, depth);
  const first = buffers[0];
  check(first !== undefined, "mini-block chunk has no value buffer");
  switch (kind) {
    case FLAT:
      return fixed(body.uint(1), decompressBuffer(body.message(2), first), count);
    case INLINE: {
      const bits = intBits(body.uint(1));
      check(!body.has(2), "compressed inline bit-packing");
      return { kind: "fixed", bits, bytes: unpackInline(first, bits, count), count };
    }
    case OUT_OF_LINE:
      return decodeBlock(enc, first, count, depth);
    case FIXED_SIZE_LIST: {
      const items = body.uint(1);
      check(items > 0 && !body.bool(3), "fixed-size list with item validity is not supported");
      const inner = decodeMiniBlock(body.message(2)!, buffers, count * items, depth + 1);
      check(inner.kind === "fixed", "fixed-size list of variable-width items");
      return { kind: "fixed", bits: inner.bits * items, bytes: inner.bytes, count };
    }
    case VARIABLE: {
      // (count+1) u32 (or u64) offsets measured from the start of the chunk buffer, then the bytes.
      const width = body.message(1) ? fixedWidthBits(body.message(1)!, depth + 1) : 32;
      check(width === 32 || width === 64, "variable offsets must be 32 or 64 bits");
      const buffer = decompressBuffer(body.message(2), first);
      return { kind: "variable", offsets: readOffsets(buffer, 0, count, width === 32 ? 4 : 8, buffer.length), bytes: buffer, count };
    }
    case FSST: {
      const inner = decodeMiniBlock(body.message(2)!, buffers, count, depth + 1);
      check(inner.kind === "variable", "FSST over fixed-width values");
      return fsst(parseFsstTable(body.bytes(1)), inner);
    }
    case GENERAL:
      return decodeMiniBlock(body.message(3)!, [decompressBuffer(body.message(1), first), ...buffers.slice(1)], count, depth + 1);
    default:
      return refuse(kind, "mini-block chunk");
  }
}

function fsst(table: FsstTable, raw: VariableRaw): VariableRaw {
  const out = fsstDecompress(table, raw.offsets, raw.bytes);
  return { kind: "variable", offsets: out.offsets, bytes: out.bytes, count: raw.count };
}

/** Decodes a whole buffer of `count` values (block compression: dictionaries, levels). */
export function decodeBlock(enc: ProtoMessage, buffer: Uint8Array, count: number, depth = 0): Raw {
  const [kind, body] = branch(enc, depth);
  switch (kind) {
    case FLAT:
      return fixed(body.uint(1), decompressBuffer(body.message(2), buffer), count);
    case INLINE:
      return decodeMiniBlock(enc, [buffer], count, depth);
    case OUT_OF_LINE: {
      const bits = intBits(body.uint(1));
      const width = fixedWidthBits(body.message(3)!, depth + 1);
      check(width <= bits, "out-of-line bit width exceeds the value width");
      return { kind: "fixed", bits, bytes: unpackOutOfLine(buffer, bits, width, count), count };
    }
    case VARIABLE: {
      // Block layout: u32 (or u64) bits per offset, u32 (or u64) start of the bytes, offsets, bytes.
      check(buffer.length >= 8, "variable block is truncated");
      const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      const bits = view.getUint32(0, true);
      check(bits === 32 || bits === 64, "variable block has a bad offset width");
      const header = bits === 32 ? 8 : 16;
      check(buffer.length >= header, "variable block is truncated");
      const start = bits === 32 ? view.getUint32(4, true) : Number(view.getBigUint64(8, true));
      check(start >= header && start <= buffer.length, "variable block data start is out of range");
      const bytes = buffer.subarray(start);
      return { kind: "variable", offsets: readOffsets(buffer.subarray(0, start), header, count, bits === 32 ? 4 : 8, bytes.length), bytes, count };
    }
    case GENERAL:
      return decodeBlock(body.message(3)!, decompressBuffer(body.message(1), buffer), count, depth + 1);
    case FSST: {
      const inner = decodeBlock(body.message(2)!, buffer, count, depth + 1);
      check(inner.kind === "variable", "FSST over fixed-width values");
      return fsst(parseFsstTable(body.bytes(1)), inner);
    }
    default:
      return decodeMiniBlock(enc, [buffer], count, depth);
  }
}

/** Per-value decompression of full-zip variable values (the FSST table applies to each value). */
export function perValueDecoder(enc: ProtoMessage): (raw: VariableRaw) => VariableRaw {
  const [kind, body] = branch(enc);
  if (kind === VARIABLE) return (raw) => raw;
  if (kind === FSST) {
    const table = parseFsstTable(body.bytes(1));
    return (raw) => fsst(table, raw);
  }
  if (kind === GENERAL) {
    const compression = body.message(1);
    return (raw) => {
      const parts: Uint8Array[] = [];
      let total = 0;
      for (let i = 0; i < raw.count; i++) {
        const value = raw.offsets[i] === raw.offsets[i + 1] ? new Uint8Array(0) : decompressBuffer(compression, raw.bytes.subarray(raw.offsets[i], raw.offsets[i + 1]));
        parts.push(value);
        total += value.length;
      }
      const bytes = new Uint8Array(total);
      const offsets = new Uint32Array(raw.count + 1);
      parts.forEach((p, i) => {
        bytes.set(p, offsets[i]!);
        offsets[i + 1] = offsets[i]! + p.length;
      });
      return { kind: "variable", offsets, bytes, count: raw.count };
    };
  }
  return refuse(kind, "full-zip value");
}
