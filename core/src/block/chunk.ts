/**
 * One column chunk payload (docs/format.md, "Column chunk"): the tag stream, the value stream of the
 * column's main type over the Value rows only (so nulls and other slots never shift values), the
 * variant residual and the overflow members. Decoding scatters compact values back into the dense
 * arrays of {@link ShreddedColumn}.
 */
import { Tag, type ColumnType, type JsonValue, type ShreddedColumn } from "../column";
import { EvoDBError } from "../errors";
import { ByteReader, ByteWriter, corrupt } from "../encoding/bytes";
import { readFloatStream, writeFloatStream } from "../encoding/float";
import { IntEncoding } from "../encoding/ids";
import { readConstantIntStream, readIntStream, writeConstantIntStream, writeIntStream } from "../encoding/int";
import { readStringStreamOrCodes, writeStringStream, type StringCodes } from "../encoding/string";
import { readVariant, writeVariant } from "../encoding/variant";

/**
 * A decoded column. A dictionary-encoded string column decoded with `keepStringCodes` also carries
 * its `dictionary`: entries and one code per row (the code of a Value row; 0 for other rows), and
 * its `values` are built from them only when first read, so a reader that filters on codes and
 * gathers the kept rows never builds a string per row.
 */
export type DecodedColumn = ShreddedColumn & { readonly dictionary?: StringCodes };

/** Compact Value entries of a column, in row order. */
export type CompactValues = Float64Array | Uint8Array | string[] | null;

/** The encoding ids a chunk was written with. */
export interface ChunkEncodings {
  tags: number;
  values: number;
}

function invalid(message: string): never {
  throw new EvoDBError("INVALID_ARGUMENT", message);
}

/** Gathers the Value entries of a column (no copy when every row is a Value). */
export function compactValues(column: ShreddedColumn, valueCount: number): CompactValues {
  const { tags } = column;
  const n = tags.length;
  switch (column.type) {
    case "none":
      return null;
    case "bool": {
      const out = valueCount === n ? column.values : new Uint8Array(valueCount);
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (tags[i] !== Tag.Value) continue;
        const v = column.values[i]!;
        if (v > 1) invalid(`bool column ${JSON.stringify(column.path)} holds ${v} at row ${i}; use 0 or 1`);
        out[k++] = v;
      }
      return out;
    }
    case "int":
    case "float": {
      const src = column.values;
      const out = valueCount === n ? src : new Float64Array(valueCount);
      const isInt = column.type === "int";
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (tags[i] !== Tag.Value) continue;
        const v = src[i]!;
        if (isInt && (!Number.isSafeInteger(v) || (v === 0 && 1 / v < 0))) {
          invalid(`int column ${JSON.stringify(column.path)} holds ${v} at row ${i}; ints must be safe integers (not -0)`);
        }
        out[k++] = v;
      }
      return out;
    }
    case "string": {
      const out: string[] = new Array<string>(valueCount);
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (tags[i] !== Tag.Value) continue;
        const v = column.values[i];
        if (typeof v !== "string") invalid(`string column ${JSON.stringify(column.path)} holds a ${typeof v} at row ${i}`);
        out[k++] = v;
      }
      return out;
    }
  }
}

/**
 * Encodes a column chunk payload; `compact` comes from {@link compactValues}, `distinct` from
 * `distinctStrings` for string columns (null otherwise or when there is no dictionary).
 */
export function encodeChunk(
  column: ShreddedColumn,
  compact: CompactValues,
  variantCount: number,
  distinct: Map<string, number> | null,
): { payload: Uint8Array; encodings: ChunkEncodings; hasOverflow: boolean } {
  const { tags } = column;
  const n = tags.length;
  const w = new ByteWriter(64 + n);
  let constant = true;
  for (let i = 1; i < n && constant; i++) constant = tags[i] === tags[0];
  let tagsId: number;
  if (constant) tagsId = writeConstantIntStream(w, n > 0 ? tags[0]! : 0, n);
  else {
    const tagValues = new Float64Array(n);
    for (let i = 0; i < n; i++) tagValues[i] = tags[i]!;
    tagsId = writeIntStream(w, tagValues, 0, n);
  }
  let valuesId = 0;
  if (compact instanceof Uint8Array) valuesId = writeIntStream(w, Float64Array.from(compact), 0, compact.length);
  else if (compact instanceof Float64Array) {
    valuesId = column.type === "int" ? writeIntStream(w, compact, 0, compact.length) : writeFloatStream(w, compact, 0, compact.length);
  } else if (compact) valuesId = writeStringStream(w, compact, 0, compact.length, distinct);
  if (variantCount > 0) {
    const variants = column.variants;
    if (!variants || variants.length !== n) invalid(`column ${JSON.stringify(column.path)} has Variant rows but no dense variants array`);
    for (let i = 0; i < n; i++) {
      if (tags[i] !== Tag.Variant) continue;
      const v = variants[i];
      if (v === undefined) invalid(`column ${JSON.stringify(column.path)} has no variant value at Variant row ${i}`);
      writeVariant(w, v);
    }
  }
  const overflow = column.overflow;
  let overflowRows = 0;
  if (overflow) {
    if (overflow.length !== n) invalid(`overflow of column ${JSON.stringify(column.path)} has ${overflow.length} slots for ${n} rows`);
    for (let i = 0; i < n; i++) if (overflow[i] !== undefined) overflowRows++;
  }
  if (overflowRows > 0) {
    w.varint(overflowRows);
    let previous = -1;
    for (let i = 0; i < n; i++) {
      const members = overflow![i];
      if (members === undefined) continue;
      if (tags[i] !== Tag.Object) invalid(`overflow at row ${i} of column ${JSON.stringify(column.path)} whose tag is not Object`);
      if (members === null || typeof members !== "object" || Array.isArray(members)) invalid(`overflow at row ${i} must be an object of members`);
      w.varint(i - previous - 1);
      previous = i;
      writeVariant(w, members);
    }
  }
  // A view, not a copy: the writer is discarded and the block copies the bytes once.
  return { payload: w.subarray(), encodings: { tags: tagsId, values: valuesId }, hasOverflow: overflowRows > 0 };
}

/** Decodes a chunk payload into a dense column; `expected` comes from the footer and is cross-checked. */
export function decodeChunk(
  payload: Uint8Array,
  path: readonly string[],
  type: ColumnType,
  rowCount: number,
  expected: ChunkEncodings & { hasOverflow: boolean; valueCount: number; variantCount: number; objectCount: number; keepStringCodes?: boolean },
): DecodedColumn {
  const r = new ByteReader(payload);
  // Check the tag stream's own count before allocating rowCount slots: a hostile footer row count
  // should fail here, not after a large allocation.
  r.u8("tags encoding id");
  if (r.varint("tag count") !== rowCount) corrupt(`tag stream count differs from the ${rowCount} rows in the footer`);
  r.pos = 0;
  const tags = new Uint8Array(rowCount);
  let valueCount = 0;
  let variantCount = 0;
  let objectCount = 0;
  const constant = readConstantIntStream(r, rowCount);
  if (constant !== null) {
    // The common case (every row has the same tag) needs no per-row pass.
    if (!(constant >= 0 && constant <= 4 && Number.isInteger(constant))) corrupt(`tag ${constant} is not 0..4`);
    if (expected.tags !== IntEncoding.FrameOfReference) corrupt("tag stream encoding differs from the footer");
    tags.fill(constant);
    if (constant === Tag.Value) valueCount = rowCount;
    else if (constant === Tag.Variant) variantCount = rowCount;
    else if (constant === Tag.Object) objectCount = rowCount;
  } else {
    const tagValues = new Float64Array(rowCount);
    if (readIntStream(r, rowCount, tagValues, 0) !== expected.tags) corrupt("tag stream encoding differs from the footer");
    for (let i = 0; i < rowCount; i++) {
      const t = tagValues[i]!;
      if (!(t >= 0 && t <= 4 && Number.isInteger(t))) corrupt(`tag ${t} at row ${i} is not 0..4`);
      tags[i] = t;
      if (t === Tag.Value) valueCount++;
      else if (t === Tag.Variant) variantCount++;
      else if (t === Tag.Object) objectCount++;
    }
  }
  if (valueCount !== expected.valueCount || variantCount !== expected.variantCount || objectCount !== expected.objectCount) {
    corrupt("tag counts differ from the footer statistics");
  }
  if (type === "none" && valueCount > 0) corrupt("column without a value type has Value rows");
  const decoded = decodeValues(r, type, rowCount, tags, valueCount, expected.values, expected.keepStringCodes === true);
  const column = ("dictionary" in decoded ? codedStringColumn(path, tags, decoded.dictionary as StringCodes) : { path, tags, ...decoded }) as DecodedColumn & {
    variants?: (JsonValue | undefined)[];
    overflow?: ({ [key: string]: JsonValue } | undefined)[];
  };
  if (variantCount > 0) {
    const variants = new Array<JsonValue | undefined>(rowCount).fill(undefined);
    for (let i = 0; i < rowCount; i++) if (tags[i] === Tag.Variant) variants[i] = readVariant(r);
    column.variants = variants;
  }
  if (expected.hasOverflow) {
    const entries = r.count(objectCount, "overflow row count");
    if (entries === 0) corrupt("overflow flag set with no overflow rows");
    const overflow = new Array<{ [key: string]: JsonValue } | undefined>(rowCount).fill(undefined);
    let row = -1;
    for (let e = 0; e < entries; e++) {
      row += r.count(rowCount, "overflow row gap") + 1;
      if (row >= rowCount || tags[row] !== Tag.Object) corrupt(`overflow row ${row} is not an Object row`);
      const members = readVariant(r);
      if (members === null || typeof members !== "object" || Array.isArray(members)) corrupt(`overflow at row ${row} is not an object`);
      overflow[row] = members as { [key: string]: JsonValue };
    }
    column.overflow = overflow;
  }
  r.expectEnd("column chunk");
  return column;
}

/** A string column whose `values` are built from its dictionary codes on first read (then kept). */
function codedStringColumn(path: readonly string[], tags: Uint8Array, dictionary: StringCodes): DecodedColumn {
  const column = { path, tags, type: "string", dictionary } as DecodedColumn;
  Object.defineProperty(column, "values", {
    enumerable: true,
    configurable: true,
    get() {
      const { dictionary: entries, codes } = dictionary;
      const values = new Array<string>(tags.length);
      for (let i = 0; i < tags.length; i++) values[i] = tags[i] === Tag.Value ? entries[codes[i]!]! : "";
      Object.defineProperty(column, "values", { value: values, enumerable: true, writable: false, configurable: false });
      return values;
    },
  });
  return column;
}

function decodeValues(r: ByteReader, type: ColumnType, n: number, tags: Uint8Array, valueCount: number, expectedId: number, keepStringCodes: boolean) {
  if (type === "none") {
    if (expectedId !== 0) corrupt("values encoding set for a column without values");
    return { type } as const;
  }
  if (type === "string") {
    const stream = readStringStreamOrCodes(r, valueCount);
    if (stream.id !== expectedId) corrupt("value stream encoding differs from the footer");
    if (!("values" in stream) && keepStringCodes) {
      if (valueCount === n) return { type, dictionary: { dictionary: stream.dictionary, codes: stream.codes } } as const;
      // Codes per row, so kernels index them by row id like every other dense array.
      const codes = new Uint32Array(n);
      for (let i = 0, k = 0; i < n; i++) if (tags[i] === Tag.Value) codes[i] = stream.codes[k++]!;
      return { type, dictionary: { dictionary: stream.dictionary, codes } } as const;
    }
    let compact: string[];
    if ("values" in stream) compact = stream.values;
    else {
      compact = new Array<string>(valueCount);
      const { dictionary, codes } = stream;
      for (let i = 0; i < valueCount; i++) compact[i] = dictionary[codes[i]!]!;
    }
    if (valueCount === n) return { type, values: compact } as const;
    const values = new Array<string>(n).fill("");
    for (let i = 0, k = 0; i < n; i++) if (tags[i] === Tag.Value) values[i] = compact[k++]!;
    return { type, values } as const;
  }
  const dense = new Float64Array(n);
  const all = valueCount === n;
  const compact = all ? dense : new Float64Array(valueCount);
  const id = type === "float" ? readFloatStream(r, valueCount, compact, 0) : readIntStream(r, valueCount, compact, 0);
  if (id !== expectedId) corrupt("value stream encoding differs from the footer");
  if (!all) for (let i = 0, k = 0; i < n; i++) if (tags[i] === Tag.Value) dense[i] = compact[k++]!;
  if (type !== "bool") return { type, values: dense } as const;
  const bits = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = dense[i]!;
    if (v !== 0 && v !== 1) corrupt(`bool value ${v} at row ${i}`);
    bits[i] = v;
  }
  return { type, values: bits } as const;
}
