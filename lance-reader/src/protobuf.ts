/**
 * A minimal protocol-buffers wire-format reader (https://protobuf.dev/programming-guides/encoding/).
 * Lance's metadata is small, so a message is parsed eagerly into field number -> raw values and
 * typed accessors interpret them; this keeps the reader free of generated code and dependencies.
 * Nested messages are parsed only when accessed, so parsing itself never recurses; recursive
 * schemas (encoding trees) bound their own depth. Every read is bounds-checked: hostile bytes give CORRUPT_LANCE, never a RangeError.
 */
import { check, corrupt } from "./errors";

/** A raw field value: a varint (number, or bigint when above 2^53) or length-delimited/fixed bytes. */
export type ProtoValue = number | bigint | Uint8Array;

/** Reads one varint at `pos`; returns [value, next position] (a bigint only above 2^53). */
export function readVarint(bytes: Uint8Array, pos: number): [number | bigint, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    check(pos + i < bytes.length, "protobuf varint runs past the end");
    const b = bytes[pos + i]!;
    // Float accumulation is exact while the value stays below 2^53; larger ones are redone in bigint.
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (value <= Number.MAX_SAFE_INTEGER) return [value, pos + i + 1];
      let big = 0n;
      for (let j = i; j >= 0; j--) big = (big << 7n) | BigInt(bytes[pos + j]! & 0x7f);
      return [BigInt.asUintN(64, big), pos + i + 1];
    }
    scale *= 128;
  }
  throw corrupt("protobuf varint longer than 10 bytes");
}

/** A parsed message: field number -> values in wire order. */
export class ProtoMessage {
  private readonly fields = new Map<number, ProtoValue[]>();

  constructor(bytes: Uint8Array) {
    let pos = 0;
    while (pos < bytes.length) {
      const [key, afterKey] = readVarint(bytes, pos);
      check(typeof key === "number", "protobuf field key too large");
      const field = Math.floor(key / 8);
      const wire = key & 7;
      check(field > 0, "protobuf field number 0");
      let value: ProtoValue;
      pos = afterKey;
      if (wire === 0) [value, pos] = readVarint(bytes, pos);
      else if (wire === 2) {
        const [len, afterLen] = readVarint(bytes, pos);
        check(typeof len === "number" && afterLen + len <= bytes.length, "protobuf length-delimited field runs past the end");
        value = bytes.subarray(afterLen, afterLen + len);
        pos = afterLen + len;
      } else if (wire === 1 || wire === 5) {
        const size = wire === 1 ? 8 : 4;
        check(pos + size <= bytes.length, "protobuf fixed field runs past the end");
        value = bytes.subarray(pos, pos + size);
        pos += size;
      } else throw corrupt(`protobuf wire type ${wire} is not supported`);
      const list = this.fields.get(field);
      if (list) list.push(value);
      else this.fields.set(field, [value]);
    }
  }

  /** True when the field occurs at least once (proto3 `optional` and oneof presence). */
  has(field: number): boolean {
    return this.fields.has(field);
  }

  private last(field: number): ProtoValue | undefined {
    const list = this.fields.get(field);
    return list?.[list.length - 1];
  }

  /** An unsigned varint field as a number (0 when absent); refuses values beyond 2^53. */
  uint(field: number): number {
    const v = this.last(field);
    if (v === undefined) return 0;
    check(typeof v === "number", `protobuf field ${field} is not a safe unsigned integer`);
    return v;
  }

  /** A varint field exactly: a number up to 2^53, a bigint above (0 when absent). */
  rawVarint(field: number): number | bigint {
    const v = this.last(field);
    if (v === undefined) return 0;
    check(!(v instanceof Uint8Array), `protobuf field ${field} is not a varint`);
    return v;
  }

  /** An int32 field (negative values are 10-byte varints on the wire). */
  int32(field: number): number {
    const v = this.last(field);
    if (v === undefined) return 0;
    check(!(v instanceof Uint8Array), `protobuf field ${field} is not a varint`);
    return typeof v === "bigint" ? Number(BigInt.asIntN(32, v)) : v | 0;
  }

  /** A bool field. */
  bool(field: number): boolean {
    return this.uint(field) !== 0;
  }

  /** A bytes field (empty when absent). */
  bytes(field: number): Uint8Array {
    const v = this.last(field);
    if (v === undefined) return new Uint8Array(0);
    check(v instanceof Uint8Array, `protobuf field ${field} is not length-delimited`);
    return v;
  }

  /** A string field. */
  string(field: number): string {
    return utf8.decode(this.bytes(field));
  }

  /** A nested message, or undefined when absent. */
  message(field: number): ProtoMessage | undefined {
    return this.has(field) ? new ProtoMessage(this.bytes(field)) : undefined;
  }

  /** All occurrences of a repeated message field. */
  messages(field: number): ProtoMessage[] {
    return (this.fields.get(field) ?? []).map((v) => {
      check(v instanceof Uint8Array, `protobuf field ${field} is not a message`);
      return new ProtoMessage(v);
    });
  }

  /** A repeated varint field, packed or not, as numbers (int32 semantics when `signed32`). */
  varints(field: number, signed32 = false): number[] {
    const out: number[] = [];
    for (const v of this.fields.get(field) ?? []) {
      if (v instanceof Uint8Array) {
        let pos = 0;
        while (pos < v.length) {
          const [x, next] = readVarint(v, pos);
          out.push(toNumber(x, signed32, field));
          pos = next;
        }
      } else out.push(toNumber(v, signed32, field));
    }
    return out;
  }

  /** A map<string, bytes> / map<string, string> field as entries. */
  map(field: number): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const entry of this.messages(field)) out.set(entry.string(1), entry.bytes(2));
    return out;
  }
}

function toNumber(v: number | bigint, signed32: boolean, field: number): number {
  if (signed32) return typeof v === "bigint" ? Number(BigInt.asIntN(32, v)) : v | 0;
  check(typeof v === "number", `protobuf field ${field} holds a value beyond 2^53`);
  return v;
}

/** Shared UTF-8 decoder (replacement characters on invalid input, never throws). */
export const utf8 = new TextDecoder();

/** Parses `bytes` as a message. */
export function parseProto(bytes: Uint8Array): ProtoMessage {
  return new ProtoMessage(bytes);
}

/** Parses a `google.protobuf.Any` into its type URL and value bytes. */
export function parseAny(bytes: Uint8Array): { typeUrl: string; value: Uint8Array } {
  const any = new ProtoMessage(bytes);
  return { typeUrl: any.string(1), value: any.bytes(2) };
}
