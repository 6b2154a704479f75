/**
 * `list<uint32>` columns, as HNSW index files store their `__neighbors` column.
 *
 * Files of version 2.1/2.2: mini-block pages whose chunks carry u16 repetition levels (1 starts a
 * new list, 0 continues it), optional u16 definition levels (0: a value; above 0: an empty or null
 * list, which has no value) and the values. The chunk metadata and `num_items` count values, not
 * levels. A list may continue from one chunk into the next, so a page is decoded whole. Only a
 * single list layer over non-null items is read; anything else is refused by name.
 *
 * Files of version 2.0 (which datasets of storage version 2.0 and legacy get as index files) keep
 * a list in two columns: the list column (`ArrayEncoding.list`: u64 end offsets of every row, no
 * leading 0, a null list stored as its end + `null_offset_adjustment`) and the item column.
 */
import { check, unsupported } from "../errors";
import { ByteView } from "../io";
import { parseProto, type ProtoMessage } from "../protobuf";
import type { LanceFileMeta, PageMeta } from "../file";
import { branch, decodeBlock, decodeMiniBlock } from "./compressive";
import { planMiniBlock } from "./page21";
import { decodePage20 } from "./page20";
import type { Raw } from "./raw";

/** RepDefLayer values (encodings_v2_1.proto). */
const ALL_VALID_ITEM = 1, NULLABLE_ITEM = 3, ALL_VALID_LIST = 2, NULLABLE_LIST = 4, EMPTYABLE_LIST = 5, NULL_AND_EMPTY_LIST = 6;
/** CompressiveEncoding branches handled here beyond compressive.ts. */
const FLAT = 1, RLE = 8;

/** Lists of u32: list i is `values[offsets[i] .. offsets[i + 1])`. */
export interface U32Lists {
  readonly offsets: Uint32Array;
  readonly values: Uint32Array;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** u16 levels from a block-compressed level buffer: RLE (u64 values size, values, run lengths) or what compressive.ts decodes. */
export function decodeLevels(enc: ProtoMessage, buffer: Uint8Array, count: number): Uint16Array {
  const [kind, body] = branch(enc);
  if (kind === RLE) {
    const valueEnc = body.message(1);
    const lengthEnc = body.message(2);
    check(valueEnc !== undefined && lengthEnc !== undefined, "RLE levels lack their encodings");
    const [vk, vb] = branch(valueEnc);
    const [lk, lb] = branch(lengthEnc);
    check(vk === FLAT && vb.uint(1) === 16 && lk === FLAT && [8, 16, 32].includes(lb.uint(1)), "RLE levels must be flat u16 values with u8/u16/u32 run lengths");
    const view = new ByteView(buffer);
    const valuesSize = view.u64(0);
    check(valuesSize % 2 === 0 && 8 + valuesSize <= buffer.length, "RLE level values run past their buffer");
    const runs = valuesSize / 2;
    const lengthBytes = lb.uint(1) / 8;
    check(8 + valuesSize + runs * lengthBytes <= buffer.length, "RLE run lengths run past their buffer");
    const out = new Uint16Array(count);
    let at = 0;
    for (let r = 0; r < runs; r++) {
      const value = view.u16(8 + r * 2);
      const p = 8 + valuesSize + r * lengthBytes;
      const length = lengthBytes === 1 ? buffer[p]! : lengthBytes === 2 ? view.u16(p) : view.u32(p);
      check(at + length <= count, "RLE runs exceed the level count");
      out.fill(value, at, at + length);
      at += length;
    }
    check(at === count, "RLE runs do not cover the levels");
    return out;
  }
  return asU16(decodeBlock(enc, buffer, count), count);
}

function asU16(raw: Raw, count: number): Uint16Array {
  return fixedLE(raw, count, new Uint16Array(count), "levels are not u16");
}

function asU32(raw: Raw, count: number): Uint32Array {
  return fixedLE(raw, count, new Uint32Array(count), "list items are not u32");
}

/** Copies `count` little-endian fixed-width values of `raw` into `out` (which sets the width). */
function fixedLE<T extends Uint16Array | Uint32Array>(raw: Raw, count: number, out: T, mismatch: string): T {
  const width = out.BYTES_PER_ELEMENT;
  check(raw.kind === "fixed" && raw.bits === width * 8 && raw.bytes.length >= count * width, mismatch);
  const view = new DataView(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength);
  if (width === 2) for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
  else for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}

/** Decodes one mini-block page of a list<u32> column from its buffers [chunk metadata, chunks, ...]. */
export function decodeU32ListPage(layoutBytes: Uint8Array, buffers: Uint8Array[], rows: number): U32Lists {
  const page = parseProto(layoutBytes);
  const allNull = page.message(2);
  if (allNull) {
    // An all-null (constant) layout without an inline value: every row is an empty or null list
    // (HNSW writes these for nodes without neighbours on a level).
    if (allNull.has(6)) throw unsupported("constant (single-value) list pages");
    return { offsets: new Uint32Array(rows + 1), values: new Uint32Array(0) };
  }
  const layout = page.message(1);
  if (!layout) throw unsupported("list pages other than mini-block");
  const layers = Array.from(layout.bytes(6));
  check(layers.length === 2, "list page has the wrong number of layers");
  if (layers[0] !== ALL_VALID_ITEM && layers[0] !== NULLABLE_ITEM) throw unsupported("nested list items");
  if (![ALL_VALID_LIST, NULLABLE_LIST, EMPTYABLE_LIST, NULL_AND_EMPTY_LIST].includes(layers[1]!)) throw unsupported(`list layer ${layers[1]}`);
  if (layout.has(4)) throw unsupported("dictionary-encoded list items");
  const rep = layout.message(1);
  check(rep !== undefined, "list page has no repetition levels");
  const def = layout.message(2);
  const valueEnc = layout.message(3);
  check(valueEnc !== undefined, "list page has no value encoding");
  check(layout.uint(7) === 1, "list page must have one value buffer per chunk");
  const large = layout.bool(10);
  const numItems = layout.uint(9);
  const chunks = planMiniBlock(layout, buffers[0] ?? new Uint8Array(0), numItems);
  const data = buffers[1] ?? new Uint8Array(0);
  const offsets = new Uint32Array(rows + 1);
  const parts: Uint32Array[] = [];
  let row = -1;
  let total = 0;
  for (const c of chunks) {
    check(c.offset + c.size <= data.length, "mini-block chunk runs past the page data");
    const chunk = new ByteView(data.subarray(c.offset, c.offset + c.size));
    const levels = chunk.u16(0);
    const repSize = chunk.u16(2);
    let at = 4;
    const defSize = def ? chunk.u16(at) : 0;
    if (def) at += 2;
    const valueSize = large ? chunk.u32(at) : chunk.u16(at);
    at = align8(at + (large ? 4 : 2));
    check(at + repSize <= c.size, "repetition levels run past the chunk");
    const repLevels = decodeLevels(rep, chunk.bytes.subarray(at, at + repSize), levels);
    at = align8(at + repSize);
    let defLevels: Uint16Array | null = null;
    if (def) {
      check(at + defSize <= c.size, "definition levels run past the chunk");
      defLevels = decodeLevels(def, chunk.bytes.subarray(at, at + defSize), levels);
      at = align8(at + defSize);
    }
    // The chunk metadata counts values (2^n per chunk); empty lists add levels without values.
    let count = levels;
    if (defLevels) for (let i = 0; i < levels; i++) if (defLevels[i] !== 0) count--;
    check(count === c.rows, "list chunk value count differs from its metadata");
    check(at + valueSize <= c.size, "list values run past the chunk");
    const values = count === 0 ? new Uint32Array(0) : asU32(decodeMiniBlock(valueEnc, [chunk.bytes.subarray(at, at + valueSize)], count), count);
    parts.push(values);
    for (let i = 0; i < levels; i++) {
      if (repLevels[i] !== 0) {
        row++;
        check(row < rows, "list page holds more lists than rows");
        offsets[row] = total;
      } else check(row >= 0, "list page starts inside a list");
      if (defLevels === null || defLevels[i] === 0) total++;
      else check(repLevels[i] !== 0, "an empty list marker inside a list");
    }
  }
  check(row === rows - 1, "list page holds fewer lists than rows");
  offsets[rows] = total;
  const values = new Uint32Array(total);
  let at = 0;
  for (const p of parts) {
    values.set(p, at);
    at += p.length;
  }
  check(at === total, "list values differ in count from their levels");
  return { offsets, values };
}

async function pageBuffers(file: LanceFileMeta, page: PageMeta): Promise<Uint8Array[]> {
  if (page.buffers.length === 0) return [];
  const start = Math.min(...page.buffers.map((b) => b.offset));
  const end = Math.max(...page.buffers.map((b) => b.offset + b.size));
  const bytes = await file.reader.read(start, end - start);
  return page.buffers.map((b) => bytes.subarray(b.offset - start, b.offset - start + b.size));
}

/** Decodes every page of a 2.0 column of flat u32 items. */
async function readU32Items20(file: LanceFileMeta, columnIndex: number, count: number): Promise<Uint32Array> {
  const column = file.columns[columnIndex];
  check(column !== undefined, `list item column ${columnIndex} does not exist in ${file.reader.key}`);
  const out = new Uint32Array(count);
  let at = 0;
  for (const page of column.pages) {
    check(page.encoding?.typeUrl === "/lance.encodings.ArrayEncoding", "2.0 list items are not in a 2.0 page");
    check(at + page.length <= count, "2.0 list item pages exceed the list's item count");
    const decoded = decodePage20(page.encoding.value, await pageBuffers(file, page), page.length);
    check(decoded.validity === null || !decoded.validity.includes(0), "2.0 list items hold nulls");
    out.set(asU32(decoded.raw, page.length), at);
    at += page.length;
  }
  check(at === count, "2.0 list item pages do not add up to the list's item count");
  return out;
}

/** Reads a list<u32> whose list column is `columnIndex` and item column the next one, in a 2.0 file. */
async function readU32ListColumn20(file: LanceFileMeta, columnIndex: number): Promise<U32Lists> {
  const column = file.columns[columnIndex];
  check(column !== undefined, `column ${columnIndex} does not exist in ${file.reader.key}`);
  const offsets = new Uint32Array(file.numRows + 1);
  let row = 0;
  for (const page of column.pages) {
    check(page.encoding?.typeUrl === "/lance.encodings.ArrayEncoding", "2.0 list page has another encoding");
    const list = parseProto(page.encoding.value).message(4);
    if (!list) throw unsupported("2.0 list pages other than the list encoding");
    const adjustment = list.uint(2);
    check(row + page.length <= file.numRows, "2.0 list pages exceed the file's rows");
    const ends = decodePage20(list.bytes(1), await pageBuffers(file, page), page.length).raw;
    check(ends.kind === "fixed" && ends.bits === 64, "2.0 list offsets are not u64");
    const view = new ByteView(ends.bytes);
    for (let i = 0; i < page.length; i++) {
      let end = view.u64(i * 8);
      if (adjustment > 0 && end >= adjustment) end -= adjustment;
      // Offsets count from the column's first item; a page restarting them is not read.
      if (end < offsets[row + i]!) throw unsupported("2.0 list offsets that restart in a later page");
      check(end <= 0xffffffff, "2.0 list offsets beyond 2^32 items");
      offsets[row + i + 1] = end;
    }
    row += page.length;
  }
  check(row === file.numRows, "the pages of a list column do not add up to the file's rows");
  const total = offsets[file.numRows]!;
  return { offsets, values: await readU32Items20(file, columnIndex + 1, total) };
}

/** True for files whose lists are stored as a list column plus an item column (2.0). */
export function listsInTwoColumns(file: LanceFileMeta): boolean {
  return file.major === 0 || (file.major === 2 && file.minor === 0);
}

/**
 * Reads a list<u32> column of a 2.0, 2.1 or 2.2 file: rows [from, to) (default: all), as lists
 * counted from `from`. 2.1/2.2 pages are fetched and decoded only where they overlap the rows; a
 * 2.0 column is read whole (`columnIndex` is its list column, the items are the next column).
 */
export async function readU32ListColumn(file: LanceFileMeta, columnIndex: number, from = 0, to = file.numRows): Promise<U32Lists> {
  check(from >= 0 && from <= to && to <= file.numRows, "list rows outside the file");
  if (listsInTwoColumns(file)) {
    const all = await readU32ListColumn20(file, columnIndex);
    return from === 0 && to === file.numRows ? all : sliceLists(all, from, to);
  }
  const column = file.columns[columnIndex];
  check(column !== undefined, `column ${columnIndex} does not exist in ${file.reader.key}`);
  let covered = 0;
  for (const page of column.pages) covered += page.length;
  check(covered === file.numRows, "the pages of a list column do not add up to the file's rows");
  const parts: U32Lists[] = [];
  let start = 0;
  for (const page of column.pages) {
    const end = start + page.length;
    if (end > from && start < to && page.length > 0) {
      const enc = page.encoding;
      check(enc !== null, "list page has no encoding");
      if (enc.typeUrl !== "/lance.encodings21.PageLayout") throw unsupported(`list columns in ${enc.typeUrl} pages`);
      const lists = decodeU32ListPage(enc.value, await pageBuffers(file, page), page.length);
      parts.push(sliceLists(lists, Math.max(from, start) - start, Math.min(to, end) - start));
    }
    start = end;
  }
  const rows = to - from;
  const offsets = new Uint32Array(rows + 1);
  let total = 0;
  for (const p of parts) total += p.values.length;
  const values = new Uint32Array(total);
  let row = 0;
  let base = 0;
  for (const p of parts) {
    const n = p.offsets.length - 1;
    for (let i = 0; i < n; i++) offsets[row + i] = base + p.offsets[i]!;
    values.set(p.values, base);
    row += n;
    base += p.values.length;
  }
  check(row === rows, "list pages do not cover the requested rows");
  offsets[rows] = base;
  return { offsets, values };
}

/** Lists [from, to) of `lists`, offsets counted from 0. */
export function sliceLists(lists: U32Lists, from: number, to: number): U32Lists {
  const first = lists.offsets[from]!;
  const offsets = new Uint32Array(to - from + 1);
  for (let i = 0; i <= to - from; i++) offsets[i] = lists.offsets[from + i]! - first;
  return { offsets, values: lists.values.subarray(first, lists.offsets[to]!) };
}
