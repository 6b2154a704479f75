/**
 * Structural page layouts of file versions 2.1 and 2.2 (`lance.encodings21.PageLayout`): mini-block
 * (small values in ~8 KiB chunks), full-zip (values of 256 bytes or more, row-zipped with their
 * rep/def control words) and all-null/constant pages. Only flat columns are handled: a layer
 * other than ALL_VALID_ITEM / NULLABLE_ITEM (i.e. lists) is refused.
 */
import { check, corrupt, unsupported } from "../errors";
import { ByteView } from "../io";
import { parseProto, type ProtoMessage } from "../protobuf";
import { decodeBlock, decodeMiniBlock, fixedWidthBits, perValueDecoder } from "./compressive";
import { concatRaw, fixed, type Raw } from "./raw";

/** A decoded page: `rows` values and per-row validity (1 = valid), or null when all are valid. */
export interface DecodedPage {
  readonly raw: Raw;
  readonly validity: Uint8Array | null;
  readonly rows: number;
}

const ALL_VALID_ITEM = 1;
const NULLABLE_ITEM = 3;

function checkLayers(layers: number[]): boolean {
  for (const layer of layers) if (layer !== ALL_VALID_ITEM && layer !== NULLABLE_ITEM) throw unsupported("list or struct repetition levels (only flat columns are read)");
  return layers.includes(NULLABLE_ITEM);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Turns u16 (or wider) definition levels into per-row validity: level 0 = valid. */
function validityFromLevels(levels: Raw, rows: number): Uint8Array {
  check(levels.kind === "fixed" && levels.count >= rows, "definition levels are missing");
  const out = new Uint8Array(rows);
  const bytes = levels.bytes;
  if (levels.bits === 1) for (let i = 0; i < rows; i++) out[i] = (bytes[i >> 3]! >> (i & 7)) & 1 ? 0 : 1;
  else {
    const step = levels.bits / 8;
    check(Number.isInteger(step), "definition levels have an odd width");
    for (let i = 0; i < rows; i++) {
      let any = 0;
      for (let k = 0; k < step; k++) any |= bytes[i * step + k]!;
      out[i] = any === 0 ? 1 : 0;
    }
  }
  return out;
}

/** One chunk of a mini-block page: its bytes within the chunk buffer and the rows it holds. */
export interface MiniChunk {
  readonly offset: number;
  readonly size: number;
  readonly firstRow: number;
  readonly rows: number;
}

/** Splits a mini-block page's chunk metadata (page buffer 0: one u16 or u32 word per chunk) into chunks. */
export function planMiniBlock(layout: ProtoMessage, meta: Uint8Array, rows: number): MiniChunk[] {
  const large = layout.bool(10);
  const view = new ByteView(meta);
  const wordBytes = large ? 4 : 2;
  const numChunks = Math.floor(meta.length / wordBytes);
  const chunks: MiniChunk[] = [];
  let offset = 0;
  let done = 0;
  for (let c = 0; c < numChunks; c++) {
    const word = large ? view.u32(c * 4) : view.u16(c * 2);
    // Low 4 bits: log2 of the chunk's values (the last chunk holds the rest); then (size / 8) - 1.
    const size = ((word >>> 4) + 1) * 8;
    const count = c === numChunks - 1 ? rows - done : 2 ** (word & 0xf);
    check(count >= 0 && done + count <= rows, "mini-block chunk metadata is inconsistent");
    chunks.push({ offset, size, firstRow: done, rows: count });
    offset += size;
    done += count;
  }
  check(done === rows, "mini-block chunks do not cover the page");
  return chunks;
}

/**
 * Decodes consecutive chunks of a mini-block page. `data` holds the chunk bytes starting at
 * `chunks[0].offset`; `dictionaryBuffer` is page buffer 2 when the page is dictionary-encoded.
 */
export function decodeMiniBlockChunks(layout: ProtoMessage, chunks: MiniChunk[], data: Uint8Array, dictionaryBuffer: Uint8Array | undefined): DecodedPage {
  const nullable = checkLayers(layout.varints(6));
  if (layout.message(1)) throw unsupported("mini-block repetition levels (lists)");
  const def = layout.message(2);
  const values = layout.message(3);
  check(values !== undefined, "mini-block page has no value encoding");
  const numBuffers = layout.uint(7);
  check(numBuffers >= 1 && numBuffers <= 64, "mini-block page buffer count is out of range");
  const large = layout.bool(10);
  const wordBytes = large ? 4 : 2;
  const base = chunks[0]?.offset ?? 0;
  let rows = 0;
  for (const c of chunks) rows += c.rows;
  const parts: Raw[] = [];
  const valid = nullable ? new Uint8Array(rows) : null;
  let done = 0;
  for (const { offset, size, rows: count } of chunks) {
    check(offset - base + size <= data.length, "mini-block chunk runs past the page data");
    const chunk = new ByteView(data.subarray(offset - base, offset - base + size));
    let at = 0;
    const levels = chunk.u16(at);
    at += 2;
    const defSize = def ? chunk.u16(at) : 0;
    if (def) at += 2;
    const sizes: number[] = [];
    for (let b = 0; b < numBuffers; b++, at += wordBytes) sizes.push(large ? chunk.u32(at) : chunk.u16(at));
    at = align8(at);
    // The writer stores 0 levels when the page has neither repetition nor definition levels.
    check(def === undefined || levels === count, "mini-block chunk level count differs from its value count");
    if (def) {
      check(at + defSize <= size, "mini-block definition levels run past the chunk");
      valid!.set(validityFromLevels(decodeBlock(def, chunk.bytes.subarray(at, at + defSize), count), count), done);
      at = align8(at + defSize);
    } else if (valid) valid.fill(1, done, done + count);
    const chunkBuffers: Uint8Array[] = [];
    for (const s of sizes) {
      check(at + s <= size, "mini-block value buffer runs past the chunk");
      chunkBuffers.push(chunk.bytes.subarray(at, at + s));
      at = align8(at + s);
    }
    parts.push(decodeMiniBlock(values, chunkBuffers, count));
    done += count;
  }
  let raw = parts.length > 0 ? concatRaw(parts) : fixed(fixedWidthBits(values), new Uint8Array(0), 0);
  const dictionary = layout.message(4);
  if (dictionary) raw = applyDictionary(raw, decodeBlock(dictionary, dictionaryBuffer ?? new Uint8Array(0), layout.uint(5)));
  return { raw, validity: valid, rows };
}

/** Decodes a mini-block page from its buffers (`[chunk metadata, chunks, dictionary?, repetition index?]`). */
function decodeMiniBlockPage(layout: ProtoMessage, buffers: Uint8Array[], rows: number): DecodedPage {
  check(!layout.has(9) || layout.uint(9) === rows, "mini-block page item count differs from its rows");
  const chunks = planMiniBlock(layout, buffers[0] ?? new Uint8Array(0), rows);
  return decodeMiniBlockChunks(layout, chunks, buffers[1] ?? new Uint8Array(0), buffers[2]);
}

/** Maps dictionary indices (any integer width) to dictionary values. */
export function applyDictionary(indices: Raw, dictionary: Raw): Raw {
  check(indices.kind === "fixed" && indices.bits % 8 === 0 && indices.bits <= 64, "dictionary indices are not integers");
  const step = indices.bits / 8;
  const n = indices.count;
  const index = (i: number): number => {
    let v = 0;
    for (let k = Math.min(step, 4) - 1; k >= 0; k--) v = v * 256 + indices.bytes[i * step + k]!;
    check(v < dictionary.count || dictionary.count === 0, "dictionary index out of range");
    return v;
  };
  if (dictionary.kind === "variable") {
    const offsets = new Uint32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = dictionary.count === 0 ? -1 : index(i);
      total += d < 0 ? 0 : dictionary.offsets[d + 1]! - dictionary.offsets[d]!;
      offsets[i + 1] = total;
    }
    const bytes = new Uint8Array(total);
    for (let i = 0; i < n; i++) {
      if (dictionary.count === 0) break;
      const d = index(i);
      bytes.set(dictionary.bytes.subarray(dictionary.offsets[d]!, dictionary.offsets[d + 1]!), offsets[i]!);
    }
    return { kind: "variable", offsets, bytes, count: n };
  }
  check(dictionary.bits % 8 === 0, "bit-packed dictionary values");
  const width = dictionary.bits / 8;
  const bytes = new Uint8Array(n * width);
  for (let i = 0; i < n; i++) if (dictionary.count > 0) bytes.set(dictionary.bytes.subarray(index(i) * width, (index(i) + 1) * width), i * width);
  return { kind: "fixed", bits: dictionary.bits, bytes, count: n };
}

/** Decodes a full-zip page from `[data, repetition index?]`. */
function decodeFullZipPage(layout: ProtoMessage, buffers: Uint8Array[], rows: number): DecodedPage {
  checkLayers(layout.varints(8));
  const bitsRep = layout.uint(1);
  const bitsDef = layout.uint(2);
  if (bitsRep > 0) throw unsupported("full-zip repetition levels (lists)");
  const enc = layout.message(7);
  check(enc !== undefined, "full-zip page has no value encoding");
  const data = buffers[0] ?? new Uint8Array(0);
  const ctrlBytes = Math.ceil((bitsRep + bitsDef) / 8);
  const valid = bitsDef > 0 ? new Uint8Array(rows) : null;
  if (layout.has(3)) {
    const bits = layout.uint(3);
    check(bits % 8 === 0 && bits > 0, "full-zip fixed width is not whole bytes");
    check(fixedWidthBits(enc) === bits, "full-zip width differs from its encoding");
    if (ctrlBytes === 0) return { raw: fixed(bits, data, rows), validity: null, rows };
    // Each row is [control word][value]; nulls keep their (zeroed) value so rows stay fixed-size.
    const width = bits / 8;
    const stride = ctrlBytes + width;
    check(data.length >= stride * rows, "full-zip data is truncated");
    const bytes = new Uint8Array(width * rows);
    for (let r = 0; r < rows; r++) {
      valid![r] = data[r * stride] === 0 ? 1 : 0;
      bytes.set(data.subarray(r * stride + ctrlBytes, (r + 1) * stride), r * width);
    }
    return { raw: { kind: "fixed", bits, bytes, count: rows }, validity: valid, rows };
  }
  const offsetBits = layout.uint(4);
  check(offsetBits === 32 || offsetBits === 64, "full-zip offsets must be 32 or 64 bits");
  const lengthBytes = offsetBits / 8;
  // Walk the rows: [control][length][bytes] for valid values, [control] for nulls.
  const offsets = new Uint32Array(rows + 1);
  const starts = new Uint32Array(rows);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    check(pos + ctrlBytes <= data.length, "full-zip data is truncated");
    const isNull = ctrlBytes > 0 && data[pos] !== 0;
    pos += ctrlBytes;
    if (valid) valid[r] = isNull ? 0 : 1;
    let length = 0;
    if (!isNull) {
      check(pos + lengthBytes <= data.length, "full-zip data is truncated");
      length = lengthBytes === 4 ? view.getUint32(pos, true) : view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 2 ** 32;
      pos += lengthBytes;
      check(pos + length <= data.length, "full-zip value runs past the data");
    }
    starts[r] = pos;
    pos += length;
    total += length;
    offsets[r + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let r = 0; r < rows; r++) bytes.set(data.subarray(starts[r]!, starts[r]! + offsets[r + 1]! - offsets[r]!), offsets[r]!);
  const raw = perValueDecoder(enc)({ kind: "variable", offsets, bytes, count: rows });
  return { raw, validity: valid, rows };
}

/** Decodes one 2.1/2.2 page given its `PageLayout` bytes and buffers; `nullRaw` builds the values of all-null pages. */
export function decodePage21(layoutBytes: Uint8Array, buffers: Uint8Array[], rows: number, nullRaw: () => Raw): DecodedPage {
  const layout = parseProto(layoutBytes);
  if (layout.has(1)) return decodeMiniBlockPage(layout.message(1)!, buffers, rows);
  if (layout.has(3)) return decodeFullZipPage(layout.message(3)!, buffers, rows);
  if (layout.has(2)) {
    const body = layout.message(2)!;
    if (body.has(6)) throw unsupported("constant (single-value) pages");
    checkLayers(body.varints(5));
    return { raw: nullRaw(), validity: new Uint8Array(rows), rows };
  }
  if (layout.has(4)) throw unsupported("blob pages (out-of-line values of 1 MiB or more)");
  throw corrupt("page layout has no known variant");
}
