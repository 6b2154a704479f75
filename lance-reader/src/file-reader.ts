/**
 * Reads column values of one Lance data file: picks the pages overlapping a row range, fetches
 * only their buffers (adjacent buffers in one request, separate requests concurrently), decodes by
 * the page's encoding type and keeps a few decoded pages for repeated `take` calls.
 */
import { check, unsupported } from "./errors";
import { type LanceFileMeta, type PageMeta } from "./file";
import { readRanges } from "./io";
import { parseProto, type ProtoMessage } from "./protobuf";
import { decodePage20 } from "./codec/page20";
import { decodeMiniBlockChunks, decodePage21, planMiniBlock, type DecodedPage, type MiniChunk } from "./codec/page21";
import { concatRaw, type Raw } from "./codec/raw";
import { toColumn, zeroRaw, type Column } from "./column";
import type { LanceType } from "./schema";

/** Decoded pages kept per file (pages are up to ~8 MiB encoded; keep the cache small). */
const PAGE_CACHE_SIZE = 8;
/** Gap up to which neighbouring buffers are fetched in one request. */
const COALESCE_GAP = 4096;

/** Slices rows [start, end) out of a raw. */
export function sliceRaw(raw: Raw, start: number, end: number): Raw {
  if (start === 0 && end === raw.count) return raw;
  if (raw.kind === "variable") return { kind: "variable", offsets: raw.offsets.subarray(start, end + 1), bytes: raw.bytes, count: end - start };
  if (raw.bits % 8 === 0) return { kind: "fixed", bits: raw.bits, bytes: raw.bytes.subarray((start * raw.bits) / 8, (end * raw.bits) / 8), count: end - start };
  const bytes = new Uint8Array(Math.ceil(((end - start) * raw.bits) / 8));
  for (let i = 0; i < (end - start) * raw.bits; i++) {
    const p = start * raw.bits + i;
    if ((raw.bytes[p >> 3]! >> (p & 7)) & 1) bytes[i >> 3]! |= 1 << (i & 7);
  }
  return { kind: "fixed", bits: raw.bits, bytes, count: end - start };
}

/** A v2 data or index file opened for column reads. */
export class LanceFileReader {
  private readonly cache = new Map<string, Promise<DecodedPage>>();
  private readonly plans = new Map<string, Promise<{ layout: ProtoMessage; chunks: MiniChunk[] }>>();

  constructor(readonly meta: LanceFileMeta) {}

  /** Rows in the file. */
  get numRows(): number {
    return this.meta.numRows;
  }

  private async fetchBuffers(page: PageMeta): Promise<Uint8Array[]> {
    const order = page.buffers.map((b, i) => ({ ...b, i })).sort((a, b) => a.offset - b.offset);
    // Runs [first, last] of buffers close enough to share one request.
    const runs: [first: number, last: number, start: number, end: number][] = [];
    for (let k = 0; k < order.length; ) {
      let j = k;
      let end = order[k]!.offset + order[k]!.size;
      while (j + 1 < order.length && order[j + 1]!.offset <= end + COALESCE_GAP) end = Math.max(end, order[++j]!.offset + order[j]!.size);
      runs.push([k, j, order[k]!.offset, end]);
      k = j + 1;
    }
    const fetched = await readRanges(this.meta.reader, runs.map(([, , start, end]) => [start, end - start] as const));
    const out: Uint8Array[] = new Array(page.buffers.length);
    runs.forEach(([k, j, start], r) => {
      for (let m = k; m <= j; m++) out[order[m]!.i] = fetched[r]!.subarray(order[m]!.offset - start, order[m]!.offset - start + order[m]!.size);
    });
    return out;
  }

  /**
   * Rows [a, b) of a mini-block page, fetching only the chunk metadata and the chunks that hold
   * them (plus the dictionary); null when the page is not mini-block or is already decoded.
   */
  private async decodePartial(columnIndex: number, pageIndex: number, a: number, b: number): Promise<DecodedPage | null> {
    const key = `${columnIndex}:${pageIndex}`;
    const page = this.meta.columns[columnIndex]!.pages[pageIndex]!;
    if (this.cache.has(key) || page.encoding?.typeUrl !== "/lance.encodings21.PageLayout") return null;
    let plan = this.plans.get(key);
    if (!plan) {
      const layout = parseProto(page.encoding.value).message(1);
      if (!layout) return null;
      const metaRef = page.buffers[0];
      check(metaRef !== undefined && page.buffers[1] !== undefined, "mini-block page lacks its buffers");
      plan = this.meta.reader.read(metaRef.offset, metaRef.size).then((meta) => ({ layout, chunks: planMiniBlock(layout, meta, page.length) }));
      plan.catch(() => this.plans.delete(key));
      this.plans.set(key, plan);
    }
    const { layout, chunks } = await plan;
    const selected = chunks.filter((c) => c.firstRow < b && c.firstRow + c.rows > a);
    if (selected.length === 0) return null;
    const first = selected[0]!;
    const last = selected[selected.length - 1]!;
    const data = page.buffers[1]!;
    check(last.offset + last.size <= data.size, "mini-block chunks run past their buffer");
    const bytes = await this.meta.reader.read(data.offset + first.offset, last.offset + last.size - first.offset);
    const dictRef = layout.has(4) ? page.buffers[2] : undefined;
    const dictionary = dictRef ? await this.meta.reader.read(dictRef.offset, dictRef.size) : undefined;
    const decoded = decodeMiniBlockChunks(layout, selected, bytes, dictionary);
    const from = a - first.firstRow;
    const to = b - first.firstRow;
    return { raw: sliceRaw(decoded.raw, from, to), validity: decoded.validity ? decoded.validity.subarray(from, to) : null, rows: to - from };
  }

  private decodePage(columnIndex: number, pageIndex: number, type: LanceType): Promise<DecodedPage> {
    const key = `${columnIndex}:${pageIndex}`;
    let hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const page = this.meta.columns[columnIndex]!.pages[pageIndex]!;
    hit = this.fetchBuffers(page).then((buffers) => {
      const enc = page.encoding;
      check(enc !== null, "page has no encoding");
      if (enc.typeUrl === "/lance.encodings21.PageLayout") return decodePage21(enc.value, buffers, page.length, () => zeroRaw(type, page.length));
      if (enc.typeUrl === "/lance.encodings.ArrayEncoding") {
        const decoded = decodePage20(enc.value, buffers, page.length);
        return decoded.raw.kind === "fixed" && decoded.raw.bits === 0 ? { ...decoded, raw: zeroRaw(type, page.length) } : decoded;
      }
      throw unsupported(`page encoding ${enc.typeUrl}`);
    });
    hit.catch(() => this.cache.delete(key));
    this.cache.set(key, hit);
    if (this.cache.size > PAGE_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return hit;
  }

  /** Where a page keeps row r at `offset + r * stride` (fixed width, no rep/def), else null. */
  private strideOf(page: PageMeta, bytesPerRow: number): number | null {
    const enc = page.encoding;
    if (!enc) return null;
    const msg = parseProto(enc.value);
    if (enc.typeUrl === "/lance.encodings21.PageLayout") {
      const zip = msg.message(3);
      if (!zip || zip.uint(1) !== 0 || zip.uint(2) !== 0 || !zip.has(3) || zip.uint(3) !== bytesPerRow * 8) return null;
      return page.buffers[0]?.offset ?? null;
    }
    if (enc.typeUrl === "/lance.encodings.ArrayEncoding") {
      // nullable{no_nulls{ flat | fixed_size_list{ nullable{no_nulls{flat}} } }} over page buffer 0.
      let node = msg.message(2)?.message(1)?.message(1);
      const fsl = node?.message(3);
      if (fsl) node = fsl.message(2)?.message(2)?.message(1)?.message(1);
      const flat = node?.message(1);
      if (!flat || flat.has(3) || (flat.message(2)?.uint(1) ?? 0) !== 0) return null;
      if (flat.uint(1) * (fsl ? fsl.uint(1) : 1) !== bytesPerRow * 8) return null;
      return page.buffers[0]?.offset ?? null;
    }
    return null;
  }

  /**
   * The bytes of `rows` of a fixed-width column (`bytesPerRow` each, in the order given), reading
   * only those rows when every page involved stores rows at a fixed stride (full-zip vectors);
   * null when a page needs a full decode. Used to re-rank vector candidates from R2 cheaply.
   */
  async readFixedRows(columnIndex: number, bytesPerRow: number, rows: Uint32Array): Promise<Uint8Array | null> {
    const column = this.meta.columns[columnIndex];
    check(column !== undefined, `column ${columnIndex} does not exist in ${this.meta.reader.key}`);
    const starts: number[] = [];
    let at = 0;
    for (const page of column.pages) {
      starts.push(at);
      at += page.length;
    }
    const positions = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      check(r < at, "row outside the column");
      let p = 0;
      while (p + 1 < starts.length && starts[p + 1]! <= r) p++;
      const base = this.strideOf(column.pages[p]!, bytesPerRow);
      if (base === null) return null;
      positions[i] = base + (r - starts[p]!) * bytesPerRow;
    }
    const order = Array.from(positions.keys()).sort((a, b) => positions[a]! - positions[b]!);
    // Runs of rows close enough to share one request; the requests go out concurrently.
    const runs: [first: number, last: number][] = [];
    for (let k = 0; k < order.length; ) {
      let j = k;
      while (j + 1 < order.length && positions[order[j + 1]!]! <= positions[order[j]!]! + bytesPerRow + COALESCE_GAP) j++;
      runs.push([k, j]);
      k = j + 1;
    }
    const fetched = await readRanges(this.meta.reader, runs.map(([k, j]) => [positions[order[k]!]!, positions[order[j]!]! + bytesPerRow - positions[order[k]!]!] as const));
    const out = new Uint8Array(rows.length * bytesPerRow);
    runs.forEach(([k, j], r) => {
      const start = positions[order[k]!]!;
      for (let m = k; m <= j; m++) out.set(fetched[r]!.subarray(positions[order[m]!]! - start, positions[order[m]!]! - start + bytesPerRow), order[m]! * bytesPerRow);
    });
    return out;
  }

  /** Reads rows [from, to) of column `columnIndex`, typed as `type`. */
  async readRange(columnIndex: number, type: LanceType, from: number, to: number): Promise<Column> {
    const column = this.meta.columns[columnIndex];
    check(column !== undefined, `column ${columnIndex} does not exist in ${this.meta.reader.key}`);
    check(from >= 0 && to <= this.meta.numRows && from <= to, "row range outside the file");
    let covered = 0;
    for (const page of column.pages) covered += page.length;
    check(covered === this.meta.numRows, "the pages of a column do not add up to the file's rows");
    const raws: Raw[] = [];
    const validities: (Uint8Array | null)[] = [];
    let pageStart = 0;
    for (let p = 0; p < column.pages.length && pageStart < to; p++) {
      const page = column.pages[p]!;
      const pageEnd = pageStart + page.length;
      if (pageEnd > from && page.length > 0) {
        const a = Math.max(from, pageStart) - pageStart;
        const b = Math.min(to, pageEnd) - pageStart;
        // Part of a page: decode only the chunks holding it when the layout allows.
        const partial = a > 0 || b < page.length ? await this.decodePartial(columnIndex, p, a, b) : null;
        if (partial) {
          raws.push(partial.raw);
          validities.push(partial.validity);
        } else {
          const decoded = await this.decodePage(columnIndex, p, type);
          check(decoded.raw.count === page.length, "page decoded to the wrong row count");
          raws.push(sliceRaw(decoded.raw, a, b));
          validities.push(decoded.validity ? decoded.validity.subarray(a, b) : null);
        }
      }
      pageStart = pageEnd;
    }
    const raw = raws.length === 0 ? zeroRaw(type, 0) : concatRaw(raws);
    check(raw.count === to - from, "pages do not cover the requested rows");
    let validity: Uint8Array | null = null;
    if (validities.some((v) => v !== null)) {
      validity = new Uint8Array(raw.count).fill(1);
      let at = 0;
      raws.forEach((r, i) => {
        const v = validities[i];
        if (v) validity!.set(v, at);
        at += r.count;
      });
    }
    return toColumn(type, raw, validity);
  }
}
