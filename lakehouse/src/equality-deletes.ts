import { EvoDBError } from "@evodb/core";
import { JsonReader } from "./json-check";

/**
 * Equality deletes (docs/lakehouse.md, "Equality deletes"): a JSON file of (key, LSN) pairs. A row
 * whose key equals `key` and whose LSN is smaller than `lsn` is dead in every data file of the
 * snapshot; rows written at or after `lsn` (the new version of an updated document) stay live.
 */

/** The equality delete format version this build reads and writes. */
export const EQUALITY_DELETES_VERSION = 1;
const FORMAT = "evodb-equality-deletes";

/** A primary key value: a string or a finite number. */
export type KeyValue = string | number;

/** One equality delete. */
export interface EqualityDelete {
  key: KeyValue;
  lsn: number;
}

function checkEntry(key: unknown, lsn: unknown): void {
  if (!(typeof key === "string" || (typeof key === "number" && Number.isFinite(key)))) {
    throw new EvoDBError("INVALID_ARGUMENT", `Equality delete key ${String(key)} must be a string or a finite number.`);
  }
  if (typeof lsn !== "number" || !Number.isSafeInteger(lsn) || lsn < 0) throw new EvoDBError("INVALID_ARGUMENT", `Equality delete LSN ${String(lsn)} must be a non-negative integer.`);
}

/** Encodes equality deletes for a table whose key is at `keyPath`. */
export function encodeEqualityDeletes(keyPath: readonly string[], entries: readonly EqualityDelete[]): string {
  for (const entry of entries) checkEntry(entry.key, entry.lsn);
  return JSON.stringify({ format: FORMAT, formatVersion: EQUALITY_DELETES_VERSION, keyPath, entries: entries.map((e) => [e.key, e.lsn]) });
}

/** Decodes an equality delete file; `CORRUPT_METADATA` or `UNSUPPORTED_VERSION` on bad input. */
export function decodeEqualityDeletes(text: string, file = "equality delete file"): { keyPath: string[]; entries: EqualityDelete[] } {
  const reader = new JsonReader(file);
  const doc = reader.object(reader.parse(text), "(root)");
  if (doc.format !== FORMAT) throw reader.fail("format", `must be "${FORMAT}"`);
  const version = reader.count(doc.formatVersion, "formatVersion");
  if (version !== EQUALITY_DELETES_VERSION) {
    throw new EvoDBError("UNSUPPORTED_VERSION", `${file} has equality delete version ${version}; this build reads ${EQUALITY_DELETES_VERSION}. Upgrade @evodb/lakehouse.`);
  }
  const keyPath = reader.stringArray(doc.keyPath, "keyPath");
  const entries = reader.array(doc.entries, "entries").map((item, i) => {
    const pair = reader.array(item, `entries[${i}]`);
    if (pair.length !== 2) throw reader.fail(`entries[${i}]`, "must be a [key, lsn] pair");
    const key = pair[0];
    if (!(typeof key === "string" || (typeof key === "number" && Number.isFinite(key)))) throw reader.fail(`entries[${i}][0]`, "must be a string or a finite number");
    return { key, lsn: reader.count(pair[1], `entries[${i}][1]`) };
  });
  return { keyPath, entries };
}
