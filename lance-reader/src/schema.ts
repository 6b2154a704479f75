/**
 * Lance schemas: the flattened `lance.file.Field` list (file.proto) used by manifests and by global
 * buffer 0 of every data file, turned into a tree with parsed logical types.
 */
import type { ProtoMessage } from "./protobuf";
import { utf8 } from "./protobuf";

/** A column type as this reader understands it (parsed from Lance's `logical_type` string). */
export type LanceType =
  | { kind: "int"; bits: 8 | 16 | 32 | 64; signed: boolean }
  | { kind: "float"; bits: 16 | 32 | 64 }
  | { kind: "bool" }
  | { kind: "binary"; utf8: boolean }
  | { kind: "fixed_size_list"; dimension: number; item: LanceType }
  /** Anything else (struct, list, decimal...): listed in the schema, refused when read. */
  | { kind: "other"; logicalType: string };

/** One field of a Lance schema. */
export interface LanceField {
  /** Field id, stable across versions (what data files and indices refer to). */
  readonly id: number;
  readonly name: string;
  /** -1 for top-level fields. */
  readonly parentId: number;
  readonly logicalType: string;
  readonly type: LanceType;
  readonly nullable: boolean;
  readonly metadata: ReadonlyMap<string, string>;
  readonly children: LanceField[];
}

/** A parsed schema: top-level fields (with children) and schema-level metadata. */
export interface LanceSchema {
  readonly fields: LanceField[];
  readonly metadata: ReadonlyMap<string, string>;
}

const INTS: Record<string, LanceType> = {
  int8: { kind: "int", bits: 8, signed: true },
  int16: { kind: "int", bits: 16, signed: true },
  int32: { kind: "int", bits: 32, signed: true },
  int64: { kind: "int", bits: 64, signed: true },
  uint8: { kind: "int", bits: 8, signed: false },
  uint16: { kind: "int", bits: 16, signed: false },
  uint32: { kind: "int", bits: 32, signed: false },
  uint64: { kind: "int", bits: 64, signed: false },
  halffloat: { kind: "float", bits: 16 },
  float: { kind: "float", bits: 32 },
  double: { kind: "float", bits: 64 },
  bool: { kind: "bool" },
  string: { kind: "binary", utf8: true },
  large_string: { kind: "binary", utf8: true },
  binary: { kind: "binary", utf8: false },
  large_binary: { kind: "binary", utf8: false },
};

/**
 * Parses a Lance logical type string. Temporal types are read as their storage integers
 * (date32 -> int32 days, date64/timestamp/time64/duration -> int64 in their unit).
 */
export function parseLogicalType(logical: string): LanceType {
  const direct = INTS[logical];
  if (direct) return direct;
  if (logical.startsWith("date32") || logical.startsWith("time32")) return INTS.int32!;
  if (/^(date64|timestamp|time64|duration)/.test(logical)) return INTS.int64!;
  const fsl = /^fixed_size_list:(.+):(\d+)$/.exec(logical);
  if (fsl) {
    const item = parseLogicalType(fsl[1]!);
    const dimension = Number(fsl[2]);
    if (item.kind !== "other" && item.kind !== "fixed_size_list" && dimension > 0) return { kind: "fixed_size_list", dimension, item };
  }
  return { kind: "other", logicalType: logical };
}

function stringMap(m: Map<string, Uint8Array>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of m) out.set(k, utf8.decode(v));
  return out;
}

/** Builds the field tree from a flattened `repeated Field` (parents precede children). */
export function parseSchema(fieldMessages: ProtoMessage[], metadata: Map<string, Uint8Array>): LanceSchema {
  const byId = new Map<number, LanceField>();
  const top: LanceField[] = [];
  for (const m of fieldMessages) {
    const logicalType = m.string(5);
    const field: LanceField = {
      id: m.int32(3),
      name: m.string(2),
      parentId: m.int32(4),
      logicalType,
      type: parseLogicalType(logicalType),
      nullable: m.bool(6),
      metadata: stringMap(m.map(10)),
      children: [],
    };
    const parent = byId.get(field.parentId);
    if (field.parentId < 0 || !parent) top.push(field);
    else parent.children.push(field);
    byId.set(field.id, field);
  }
  return { fields: top, metadata: stringMap(metadata) };
}
