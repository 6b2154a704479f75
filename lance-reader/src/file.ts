/**
 * The Lance v2 file container (file versions 2.0, 2.1, 2.2 and index files): a 40-byte footer,
 * the column-metadata offset table (CMO), the global-buffer offset table (GBO) and one protobuf
 * `lance.file.v2.ColumnMetadata` per column (file2.proto). Read from the tail with range reads:
 * one suffix read usually covers footer, tables, column metadata and the schema buffer.
 */
import { check, corrupt } from "./errors";
import { ByteView, RangeReader } from "./io";
import { parseAny, parseProto } from "./protobuf";
import { parseSchema, type LanceSchema } from "./schema";
import { unsupportedVersion } from "./versions";

/** A byte range in a file. */
export interface BufferRef {
  readonly offset: number;
  readonly size: number;
}

/** An encoding descriptor: the `google.protobuf.Any` inside `DirectEncoding`. */
export interface EncodingRef {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** One page of one column. */
export interface PageMeta {
  readonly buffers: BufferRef[];
  /** Rows in the page. */
  readonly length: number;
  /** First row of the page (`priority`). */
  readonly firstRow: number;
  readonly encoding: EncodingRef | null;
}

/** One column of a file. */
export interface ColumnMeta {
  readonly pages: PageMeta[];
  readonly buffers: BufferRef[];
  readonly encoding: EncodingRef | null;
}

/** An opened v2 file: everything but the page data. */
export interface LanceFileMeta {
  readonly reader: RangeReader;
  readonly major: number;
  readonly minor: number;
  readonly numRows: number;
  readonly schema: LanceSchema;
  readonly columns: ColumnMeta[];
  readonly globalBuffers: BufferRef[];
}

const FOOTER_SIZE = 40;
/** Bytes read from the end on open: covers the metadata of typical files in one request. */
const TAIL_READ = 64 * 1024;

function buffers(offsets: number[], sizes: number[], fileSize: number): BufferRef[] {
  check(offsets.length === sizes.length, "buffer offsets and sizes differ in count");
  return offsets.map((offset, i) => {
    const size = sizes[i]!;
    check(offset + size <= fileSize, "a buffer lies beyond the end of the file");
    return { offset, size };
  });
}

function encodingOf(bytes: Uint8Array | undefined): EncodingRef | null {
  if (!bytes) return null;
  const enc = parseProto(bytes);
  if (enc.has(2)) return parseAny(enc.message(2)!.bytes(1));
  if (enc.has(1)) throw corrupt("deferred (indirect) encodings are not written by Lance");
  return null;
}

/** Reads the last bytes of a file and returns them with a function to slice absolute ranges. */
async function tailSlicer(reader: RangeReader, from: number): Promise<(offset: number, size: number) => Promise<Uint8Array>> {
  const start = Math.max(0, Math.min(from, reader.size - TAIL_READ));
  const tail = await reader.read(start, reader.size - start);
  return async (offset, size) => {
    if (offset >= start && offset + size <= reader.size) return tail.subarray(offset - start, offset - start + size);
    return reader.read(offset, size);
  };
}

/** Parses the footer and metadata of a v2 file. Legacy (0.x footer <= 0.2) files are refused here. */
export async function openLanceFile(reader: RangeReader): Promise<LanceFileMeta> {
  check(reader.size >= FOOTER_SIZE, `${reader.key} is too small to be a Lance file`);
  const footerBytes = await reader.tail(Math.min(reader.size, TAIL_READ));
  const foot = new ByteView(footerBytes.subarray(footerBytes.length - FOOTER_SIZE));
  check(foot.u32(36) === 0x434e414c, `${reader.key} does not end with the LANC magic`);
  const major = foot.u16(32);
  const minor = foot.u16(34);
  if (!((major === 0 && minor === 3) || (major === 2 && minor <= 2))) throw unsupportedVersion(reader.key, major, minor);
  const columnMetaStart = foot.u64(0);
  const cmoStart = foot.u64(8);
  const gboStart = foot.u64(16);
  const numGlobal = foot.u32(24);
  const numColumns = foot.u32(28);
  const end = reader.size - FOOTER_SIZE;
  check(columnMetaStart <= cmoStart && cmoStart + numColumns * 16 <= end && gboStart + numGlobal * 16 <= end && numGlobal >= 1, "file footer offsets are inconsistent");
  const slice = await tailSlicer(reader, columnMetaStart);
  const cmo = new ByteView(await slice(cmoStart, numColumns * 16));
  const gbo = new ByteView(await slice(gboStart, numGlobal * 16));
  const globalBuffers: BufferRef[] = [];
  for (let i = 0; i < numGlobal; i++) {
    const offset = gbo.u64(i * 16), size = gbo.u64(i * 16 + 8);
    check(offset + size <= reader.size, "a global buffer lies beyond the end of the file");
    globalBuffers.push({ offset, size });
  }
  const columns: ColumnMeta[] = [];
  for (let c = 0; c < numColumns; c++) {
    const offset = cmo.u64(c * 16), size = cmo.u64(c * 16 + 8);
    check(offset + size <= end, "column metadata lies beyond the footer");
    const m = parseProto(await slice(offset, size));
    const pages = m.messages(2).map((p) => ({
      buffers: buffers(p.varints(1), p.varints(2), reader.size),
      length: p.uint(3),
      firstRow: p.uint(5),
      encoding: encodingOf(p.message(4) ? p.bytes(4) : undefined),
    }));
    columns.push({ pages, buffers: buffers(m.varints(3), m.varints(4), reader.size), encoding: encodingOf(m.has(1) ? m.bytes(1) : undefined) });
  }
  // Global buffer 0 is always the schema: lance.file.FileDescriptor { Schema schema = 1; uint64 length = 2 }.
  const g0 = globalBuffers[0]!;
  const descriptor = parseProto(await slice(g0.offset, g0.size));
  const schemaMsg = descriptor.message(1);
  check(schemaMsg !== undefined, "file descriptor has no schema");
  const schema = parseSchema(schemaMsg.messages(1), schemaMsg.map(5));
  const numRows = descriptor.uint(2);
  // Same bound as a fragment's rows (fragment.ts): per-row arrays are sized from these counts.
  check(numRows <= 2 ** 27, "file claims more rows than this reader supports (2^27)");
  return { reader, major, minor, numRows, schema, columns, globalBuffers };
}

/** Reads a global buffer (index files keep IVF and codebooks there). */
export function readGlobalBuffer(file: LanceFileMeta, index: number): Promise<Uint8Array> {
  const ref = file.globalBuffers[index];
  if (!ref) throw corrupt(`global buffer ${index} does not exist in ${file.reader.key}`);
  return file.reader.read(ref.offset, ref.size);
}
