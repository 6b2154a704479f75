/**
 * Just enough of the Arrow IPC file format (https://arrow.apache.org/docs/format/Columnar.html#ipc-file-format)
 * to read Lance's `.arrow` deletion files: record batches of one non-null Int32/UInt32 column of
 * deleted row offsets. Flatbuffer tables are read by hand through their vtables.
 */
import { check, unsupported } from "./errors";
import { zstdDecompress } from "./codec/zstd";
import { ByteView } from "./io";

const MESSAGE_RECORD_BATCH = 3;
/** `CompressionType.ZSTD` of Arrow's BodyCompression (LZ4_FRAME is 0). */
const CODEC_ZSTD = 1;

/** A flatbuffer table at `pos` in `v`. */
class Table {
  constructor(private readonly v: ByteView, private readonly pos: number) {}
  static root(v: ByteView, base: number): Table {
    return new Table(v, base + v.u32(base));
  }
  private field(index: number): number {
    const vtable = this.pos - (this.v.u32(this.pos) | 0);
    const vsize = this.v.u16(vtable);
    const at = 4 + 2 * index;
    if (at >= vsize) return 0;
    return this.v.u16(vtable + at);
  }
  u8(index: number): number {
    const off = this.field(index);
    return off === 0 ? 0 : this.v.bytes[this.pos + off]!;
  }
  i64(index: number): number {
    const off = this.field(index);
    return off === 0 ? 0 : this.v.u64(this.pos + off);
  }
  table(index: number): Table | null {
    const off = this.field(index);
    if (off === 0) return null;
    const at = this.pos + off;
    return new Table(this.v, at + this.v.u32(at));
  }
  /** A vector of structs: returns [position of element 0, length]. */
  vector(index: number): [number, number] {
    const off = this.field(index);
    if (off === 0) return [0, 0];
    const at = this.pos + off;
    const vec = at + this.v.u32(at);
    return [vec + 4, this.v.u32(vec)];
  }
}

/** Reads every Int32 value of the first column of every record batch in an IPC file. */
export function readArrowInt32Column(bytes: Uint8Array): Int32Array {
  const v = new ByteView(bytes);
  const magic = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 6)) === "ARROW1";
  check(bytes.length >= 18 && magic(0) && magic(bytes.length - 6), "deletion file is not an Arrow IPC file");
  // The footer (a flatbuffer `Footer`) lists each record batch as a Block struct
  // {offset: i64, metaDataLength: i32, pad, bodyLength: i64}; writers may pad between messages.
  const footerLength = v.u32(bytes.length - 10);
  const footerStart = bytes.length - 10 - footerLength;
  check(footerStart >= 8, "Arrow footer is out of range");
  const footer = Table.root(v, footerStart);
  const [blocks, count] = footer.vector(3);
  const out: number[] = [];
  for (let b = 0; b < count; b++) {
    const at = blocks + b * 24;
    const offset = v.u64(at);
    const metaLength = v.u32(at + 8);
    const bodyLength = v.u64(at + 16);
    const bodyStart = offset + metaLength;
    check(bodyStart + bodyLength <= footerStart, "Arrow record batch runs past the footer");
    const meta = v.u32(offset) === 0xffffffff ? offset + 8 : offset + 4;
    const message = Table.root(v, meta);
    if (message.u8(1) !== MESSAGE_RECORD_BATCH) continue;
    const batch = message.table(2);
    check(batch !== null, "Arrow record batch has no header");
    const rows = batch.i64(0);
    const [buffers, n] = batch.vector(2);
    check(n >= 2, "Arrow record batch has too few buffers");
    // Buffer structs are {offset: i64, length: i64}; buffer 0 is validity, buffer 1 the values.
    const valuesOffset = v.u64(buffers + 16);
    const valuesLength = v.u64(buffers + 24);
    check(valuesOffset + valuesLength <= bodyLength, "Arrow values buffer runs past its body");
    let start = bodyStart + valuesOffset;
    let length = valuesLength;
    if (batch.table(3) !== null) {
      // With body compression every buffer starts with its i64 uncompressed length, then a zstd
      // frame; -1 means the writer left it uncompressed (arrow-rs does so when that is smaller).
      check(length >= 8, "compressed Arrow buffer is truncated");
      let data = bytes.subarray(start + 8, start + length);
      if (v.u32(start) !== 0xffffffff || v.u32(start + 4) !== 0xffffffff) {
        if (batch.table(3)!.u8(0) !== CODEC_ZSTD) throw unsupported("LZ4-frame compressed Arrow deletion files");
        data = zstdDecompress(data, v.u64(start));
      }
      check(data.length >= rows * 4, "Arrow values buffer is too small");
      const values = new ByteView(data);
      for (let i = 0; i < rows; i++) out.push(values.u32(i * 4) | 0);
      continue;
    }
    check(length >= rows * 4, "Arrow values buffer is too small");
    const values = new ByteView(bytes.subarray(start, start + length));
    for (let i = 0; i < rows; i++) out.push(values.u32(i * 4) | 0);
  }
  return Int32Array.from(out);
}
