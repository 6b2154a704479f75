/**
 * Just enough of the Arrow IPC file format (https://arrow.apache.org/docs/format/Columnar.html#ipc-file-format)
 * to read Lance's `.arrow` deletion files: record batches of one non-null Int32/UInt32 column of
 * deleted row offsets. Flatbuffer tables are read by hand through their vtables.
 */
import { check } from "./errors";
import { ByteView } from "./io";

const MESSAGE_RECORD_BATCH = 3;

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
  check(bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 6)) === "ARROW1", "deletion file is not an Arrow IPC file");
  const out: number[] = [];
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    let len = v.u32(pos);
    let meta = pos + 4;
    if (len === 0xffffffff) {
      len = v.u32(pos + 4);
      meta = pos + 8;
    }
    if (len === 0) break;
    check(meta + len <= bytes.length, "Arrow message runs past the file");
    const message = Table.root(v, meta);
    const bodyStart = meta + len;
    const bodyLength = message.i64(3);
    check(bodyStart + bodyLength <= bytes.length, "Arrow message body runs past the file");
    if (message.u8(1) === MESSAGE_RECORD_BATCH) {
      const batch = message.table(2);
      check(batch !== null, "Arrow record batch has no header");
      const rows = batch.i64(0);
      const [buffers, count] = batch.vector(2);
      check(count >= 2, "Arrow record batch has too few buffers");
      // Buffer structs are {offset: i64, length: i64}; buffer 0 is validity, buffer 1 the values.
      const offset = v.u64(buffers + 16);
      const length = v.u64(buffers + 24);
      check(length >= rows * 4 && offset + length <= bodyLength, "Arrow values buffer is too small");
      const values = new ByteView(bytes.subarray(bodyStart + offset, bodyStart + offset + length));
      for (let i = 0; i < rows; i++) out.push(values.u32(i * 4) | 0);
    }
    pos = bodyStart + bodyLength;
  }
  return Int32Array.from(out);
}
