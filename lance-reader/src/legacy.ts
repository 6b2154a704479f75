/**
 * Legacy Lance files (data storage version 0.1, footer 0.2): a 16-byte tail (u64 metadata
 * position, u16 0, u16 2, "LANC"), a `lance.file.Metadata` protobuf (u32 length prefix) with the
 * batch row offsets and the page-table position, and a page table of
 * (field id - min field id) x batch x (i64 position, i64 length). Fixed-width values are stored
 * plain; strings are (rows + 1) absolute i64 positions followed by the bytes, and an empty string
 * in a nullable column is null. Legacy files do not keep nulls of primitive columns.
 */
import { check, unsupported } from "./errors";
import { ByteView, type RangeReader } from "./io";
import { parseProto } from "./protobuf";
import { parseSchema, type LanceField, type LanceSchema } from "./schema";
import { concatRaw, fixed, readOffsets, type Raw } from "./codec/raw";
import { sliceRaw } from "./file-reader";
import { toColumn, typeBits, type Column } from "./column";
import { unsupportedVersion } from "./versions";

/** An opened legacy file. */
export interface LegacyFileReader {
  readonly numRows: number;
  readonly schema: LanceSchema;
  /** Reads rows [from, to) of a field. */
  readField(field: LanceField, from: number, to: number): Promise<Column>;
}

function section(bytes: Uint8Array, at: number): ReturnType<typeof parseProto> {
  const v = new ByteView(bytes);
  const len = v.u32(at);
  check(at + 4 + len <= bytes.length, "legacy metadata runs past the file");
  return parseProto(bytes.subarray(at + 4, at + 4 + len));
}

/** Opens a legacy file (reads the metadata tail in one request). */
export async function openLegacyFile(reader: RangeReader): Promise<LegacyFileReader> {
  check(reader.size >= 16, `${reader.key} is too small to be a Lance file`);
  const tailView = new ByteView(await reader.tail(16));
  check(tailView.u32(12) === 0x434e414c, `${reader.key} does not end with the LANC magic`);
  const major = tailView.u16(8), minor = tailView.u16(10);
  if (major !== 0 || minor > 2) throw unsupportedVersion(reader.key, major, minor);
  const metaPos = tailView.u64(0);
  check(metaPos < reader.size - 16, "legacy metadata position is out of range");
  const start = Math.min(metaPos, reader.size);
  const tail = await reader.read(start, reader.size - start);
  const metadata = section(tail, 0);
  const batchOffsets = metadata.varints(2, true);
  check(batchOffsets.length >= 1, "legacy file has no batches");
  const manifestPos = metadata.uint(1);
  const manifestBytes = manifestPos >= start ? tail : await reader.read(manifestPos, reader.size - manifestPos);
  const manifest = section(manifestBytes, manifestPos >= start ? manifestPos - start : 0);
  const schema = parseSchema(manifest.messages(1), manifest.map(5));
  const ids: number[] = [];
  const walk = (fs: LanceField[]) => fs.forEach((f) => (ids.push(f.id), walk(f.children)));
  walk(schema.fields);
  const minId = Math.min(...ids), maxId = Math.max(...ids);
  const batches = batchOffsets.length - 1;
  const tablePos = metadata.uint(3);
  const tableSize = (maxId - minId + 1) * batches * 16;
  const table = new ByteView(await reader.read(tablePos, tableSize));
  const numRows = batchOffsets[batches]!;
  check(numRows >= 0 && numRows <= 2 ** 27, "legacy file claims more rows than this reader supports (2^27)");

  const readBatch = async (field: LanceField, batch: number): Promise<Raw> => {
    const idx = ((field.id - minId) * batches + batch) * 16;
    const position = table.u64(idx);
    const length = table.u64(idx + 8);
    const rows = batchOffsets[batch + 1]! - batchOffsets[batch]!;
    check(length === rows, "legacy page length differs from its batch");
    if (field.type.kind === "binary") {
      const positions = await reader.read(position, (rows + 1) * 8);
      const offsets = readOffsets(positions, 0, rows, 8, reader.size);
      const base = offsets[0]!;
      const bytes = await reader.read(base, offsets[rows]! - base);
      for (let i = 0; i <= rows; i++) offsets[i] = offsets[i]! - base;
      return { kind: "variable", offsets, bytes, count: rows };
    }
    const bits = typeBits(field.type);
    if (bits === 0) throw unsupported(`legacy ${field.logicalType} columns`);
    return fixed(bits, await reader.read(position, Math.ceil((bits * rows) / 8)), rows);
  };

  return {
    numRows,
    schema,
    async readField(field, from, to) {
      check(from >= 0 && to <= numRows && from <= to, "row range outside the file");
      const parts: Raw[] = [];
      for (let b = 0; b < batches; b++) {
        const lo = batchOffsets[b]!, hi = batchOffsets[b + 1]!;
        if (hi <= from || lo >= to) continue;
        parts.push(sliceRaw(await readBatch(field, b), Math.max(from, lo) - lo, Math.min(to, hi) - lo));
      }
      const raw = parts.length ? concatRaw(parts) : fixed(typeBits(field.type), new Uint8Array(0), 0);
      let validity: Uint8Array | null = null;
      if (raw.kind === "variable" && field.nullable) {
        validity = new Uint8Array(raw.count);
        for (let i = 0; i < raw.count; i++) validity[i] = raw.offsets[i + 1]! > raw.offsets[i]! ? 1 : 0;
      }
      return toColumn(field.type, raw, validity);
    },
  };
}
