import {
  columnStats,
  EvoDBError,
  parseBlockFooter,
  pathToName,
  readBlock,
  reassemble,
  shred,
  writeBlock,
  type JsonValue,
  type WriteBlockOptions,
} from "@evodb/core";
import type { ColumnStatistics } from "@evodb/lakehouse";
import { KEY_FIELD, LSN_FIELD } from "./row-key";

/** One stored version of a document. */
export interface StoredRow {
  /** Canonical primary key ({@link canonicalKey}). */
  key: string;
  lsn: number;
  document: { [key: string]: JsonValue };
}

/** A block ready to upload, with the statistics its snapshot entry carries. */
export interface EncodedBlock {
  bytes: Uint8Array;
  rowCount: number;
  columnStats: Record<string, ColumnStatistics>;
}

/** Encodes rows as one `.evodb` block, the key and LSN stored as reserved top-level members. */
export function encodeRows(rows: readonly StoredRow[], options: WriteBlockOptions = {}): EncodedBlock {
  const docs: JsonValue[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    docs[i] = { ...row.document, [KEY_FIELD]: row.key, [LSN_FIELD]: row.lsn };
  }
  const bytes = writeBlock(shred(docs), options);
  const stats: Record<string, ColumnStatistics> = {};
  for (const column of columnStats(parseBlockFooter(bytes, bytes.length))) {
    const { path, type, hasBloomFilter, ...counts } = column;
    stats[pathToName(path)] = { ...counts, type, hasBloomFilter };
  }
  return { bytes, rowCount: rows.length, columnStats: stats };
}

/** The key and LSN of every row of a block, without decoding the documents. */
export function decodeRowVersions(bytes: Uint8Array): { keys: string[]; lsns: Float64Array } {
  const batch = readBlock(bytes, { paths: [[KEY_FIELD], [LSN_FIELD]] });
  const keyColumn = batch.columns.find((c) => c.path.length === 1 && c.path[0] === KEY_FIELD);
  const lsnColumn = batch.columns.find((c) => c.path.length === 1 && c.path[0] === LSN_FIELD);
  if (keyColumn?.type !== "string" || lsnColumn?.type !== "int") {
    throw new EvoDBError("CORRUPT_BLOCK", `Block has no ${KEY_FIELD}/${LSN_FIELD} columns, so it was not written by @evodb/writer; rewrite the table with the writer.`);
  }
  for (let i = 0; i < batch.rowCount; i++) {
    if (keyColumn.tags[i] !== 2 || lsnColumn.tags[i] !== 2) throw new EvoDBError("CORRUPT_BLOCK", `Row ${i} of a writer block lacks its key or LSN.`);
  }
  return { keys: keyColumn.values, lsns: lsnColumn.values };
}

/** Every row of a block: key, LSN and the document without the reserved members. */
export function decodeRows(bytes: Uint8Array): StoredRow[] {
  const { keys, lsns } = decodeRowVersions(bytes);
  const docs = reassemble(readBlock(bytes));
  return docs.map((doc, i) => {
    const document = { ...(doc as { [key: string]: JsonValue }) };
    delete document[KEY_FIELD];
    delete document[LSN_FIELD];
    return { key: keys[i]!, lsn: lsns[i]!, document };
  });
}
