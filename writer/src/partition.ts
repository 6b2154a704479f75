import type { JsonValue } from "@evodb/core";
import type { JsonScalar, PartitionField, PartitionValues } from "@evodb/lakehouse";

/**
 * Partition values of a document (docs/writer.md, "Partitioning"). The value at `sourcePath` goes
 * through the field's transform; a missing, null or unusable value gives `null`, so a document is
 * never refused for its partition. Time transforms accept epoch milliseconds or a date string and
 * use UTC: year `2026`, month `2026-01`, day `2026-01-15`, hour `2026-01-15-10`.
 */
export function partitionValues(document: { [key: string]: JsonValue }, fields: readonly PartitionField[]): PartitionValues {
  const values: PartitionValues = {};
  for (const field of fields) values[field.name] = transform(valueAt(document, field.sourcePath), field.transform);
  return values;
}

/** A stable grouping key of partition values (fields in spec order). */
export function partitionKey(values: PartitionValues, fields: readonly PartitionField[]): string {
  return JSON.stringify(fields.map((f) => values[f.name] ?? null));
}

const MIN_ISO_MS = -62_167_219_200_000;
const MAX_ISO_MS = 253_402_300_799_999;

function valueAt(document: JsonValue, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = document;
  for (const key of path) {
    if (typeof current !== "object" || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as { [key: string]: JsonValue })[key];
  }
  return current;
}

function transform(value: JsonValue | undefined, kind: PartitionField["transform"]): JsonScalar {
  if (value === undefined || value === null) return null;
  if (kind === "identity") {
    if (typeof value === "bigint") return value.toString();
    return typeof value === "object" ? null : value;
  }
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  // Years 0000-9999 only: beyond them ISO strings gain a sign and six digits, breaking the formats.
  if (!Number.isFinite(ms) || ms < MIN_ISO_MS || ms > MAX_ISO_MS) return null;
  const iso = new Date(ms).toISOString();
  switch (kind) {
    case "year":
      return iso.slice(0, 4);
    case "month":
      return iso.slice(0, 7);
    case "day":
      return iso.slice(0, 10);
    case "hour":
      return `${iso.slice(0, 10)}-${iso.slice(11, 13)}`;
  }
}
