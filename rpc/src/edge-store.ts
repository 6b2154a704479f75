import { EvoDBError } from "@evodb/core";
import { MAX_DOC_BYTES, MAX_KEY_BYTES, estimateEntryBytes, validateTableName, type CdcEntry } from "./batch";
import { chunks, listPlaceholders, rowPlaceholders } from "./sql-chunks";

/**
 * The edge Durable Object's SQLite: the tenant's documents, its write-ahead log of changes not yet
 * acknowledged by the writer, and the CDC position. Every document write appends its WAL entry in
 * the same `transactionSync`, so the WAL never misses a change and never holds one that did not
 * happen. Tables are prefixed `evodb_` so a subclass can keep its own beside them.
 */

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS evodb_docs (
     table_name TEXT NOT NULL,
     doc_key TEXT NOT NULL,
     doc TEXT NOT NULL,
     lsn INTEGER NOT NULL,
     PRIMARY KEY (table_name, doc_key)
   ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS evodb_wal (
     lsn INTEGER PRIMARY KEY,
     table_name TEXT NOT NULL,
     doc_key TEXT NOT NULL,
     op TEXT NOT NULL,
     doc TEXT,
     time INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS evodb_edge_state (
     name TEXT PRIMARY KEY,
     value INTEGER NOT NULL
   )`,
  // A table of its own, not a row of evodb_edge_state: that column has INTEGER affinity, which
  // would turn a tenant named "123" into a number.
  `CREATE TABLE IF NOT EXISTS evodb_edge_tenant (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     tenant TEXT NOT NULL
   )`,
];

/** A document write for {@link EdgeStore.write}: `doc` is JSON text, `null` deletes. */
export interface DocumentWrite {
  key: string;
  doc: string | null;
}

/** What a write did. */
export interface WriteResult {
  key: string;
  /** LSN of the WAL entry, or `null` when nothing changed (deleting a missing key). */
  lsn: number | null;
  op: CdcEntry["op"] | null;
}

const encoder = new TextEncoder();

function checkTable(table: string): void {
  if (!validateTableName(table)) throw new EvoDBError("INVALID_NAME", `table "${table}" is not a plain table name: use 1-64 characters of [A-Za-z0-9_.-], not starting with '.' or '-', without '..'`);
}

function checkKey(key: string): void {
  // The WAL carries keys as JSON text (docs/wal.md), so the limit applies to the quoted form.
  const bytes = encoder.encode(JSON.stringify(key)).length;
  if (key.length === 0 || bytes > MAX_KEY_BYTES) throw new EvoDBError("INVALID_ARGUMENT", `document keys must be non-empty and at most ${MAX_KEY_BYTES} bytes as JSON text, got ${bytes}`);
}

/** SQL access of the edge Durable Object. */
export class EdgeStore {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  private state(name: string): number {
    const rows = this.sql.exec<{ value: number }>("SELECT value FROM evodb_edge_state WHERE name = ?", name).toArray();
    return rows.length === 0 ? 0 : rows[0]!.value;
  }

  private setState(name: string, value: number): void {
    this.sql.exec("INSERT INTO evodb_edge_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value);
  }

  /**
   * Applies document writes to one table and appends one WAL entry per change, all in one
   * transaction: either every write and its entry is stored, or none.
   */
  write(table: string, writes: readonly DocumentWrite[], time: number): WriteResult[] {
    checkTable(table);
    for (const write of writes) {
      checkKey(write.key);
      // Bytes, not characters: SQLite's 2 MB cap and the 4 MiB CDC frame count UTF-8 bytes. The
      // character count is a cheap lower bound that skips the encoding for small documents.
      if (write.doc !== null && (write.doc.length > MAX_DOC_BYTES || (write.doc.length * 3 > MAX_DOC_BYTES && encoder.encode(write.doc).length > MAX_DOC_BYTES))) {
        throw new EvoDBError("LIMIT_EXCEEDED", `document "${write.key}" is over ${MAX_DOC_BYTES} bytes of JSON; Durable Object SQLite stores at most 2 MB per value`);
      }
    }
    return this.storage.transactionSync(() => {
      let lsn = this.state("last_lsn");
      const present = this.existingKeys(table, writes);
      const results: WriteResult[] = [];
      const wal: (string | number | null)[][] = [];
      // Final state of each key after the whole request: a key written twice keeps its last write.
      const final = new Map<string, { doc: string | null; lsn: number }>();
      for (const write of writes) {
        const exists = present.has(write.key);
        if (write.doc === null && !exists) {
          results.push({ key: write.key, lsn: null, op: null });
          continue;
        }
        lsn++;
        const op: CdcEntry["op"] = write.doc === null ? "delete" : exists ? "update" : "insert";
        if (write.doc === null) present.delete(write.key);
        else present.add(write.key);
        final.set(write.key, { doc: write.doc, lsn });
        wal.push([lsn, write.key, op, write.doc]);
        results.push({ key: write.key, lsn, op });
      }
      const upserts: (string | number)[][] = [];
      const deletes: string[] = [];
      for (const [key, { doc, lsn: docLsn }] of final) {
        if (doc === null) deletes.push(key);
        else upserts.push([key, doc, docLsn]);
      }
      for (const rows of chunks(upserts, 3, 1)) {
        this.sql.exec(
          `INSERT INTO evodb_docs (table_name, doc_key, doc, lsn) SELECT ?, column1, column2, column3 FROM (VALUES ${rowPlaceholders(rows.length, 3)}) WHERE true
           ON CONFLICT (table_name, doc_key) DO UPDATE SET doc = excluded.doc, lsn = excluded.lsn`,
          table, ...rows.flat(),
        );
      }
      for (const keys of chunks(deletes, 1, 1)) {
        this.sql.exec(`DELETE FROM evodb_docs WHERE table_name = ? AND doc_key IN (${listPlaceholders(keys.length)})`, table, ...keys);
      }
      for (const rows of chunks(wal, 4, 2)) {
        this.sql.exec(
          `INSERT INTO evodb_wal (lsn, table_name, doc_key, op, doc, time) SELECT column1, ?, column2, column3, column4, ? FROM (VALUES ${rowPlaceholders(rows.length, 4)})`,
          table, time, ...rows.flat(),
        );
      }
      this.setState("last_lsn", lsn);
      return results;
    });
  }

  /**
   * The keys among `writes` that `table` holds, a chunk of keys per statement. SQLite compares
   * them (the statement returns positions, not keys), exactly as the per-key lookups it replaces
   * did, whatever the key's text.
   */
  private existingKeys(table: string, writes: readonly DocumentWrite[]): Set<string> {
    const present = new Set<string>();
    const keys = [...new Set(writes.map((write) => write.key))];
    const indexed = keys.map((key, index) => [index, key] as const);
    for (const chunk of chunks(indexed, 2, 1)) {
      const cursor = this.sql.exec<{ i: number }>(
        `SELECT v.column1 AS i FROM (VALUES ${rowPlaceholders(chunk.length, 2)}) v JOIN evodb_docs d ON d.table_name = ? AND d.doc_key = v.column2`,
        ...chunk.flat(), table,
      );
      for (const row of cursor) present.add(keys[row.i]!);
    }
    return present;
  }

  /** A document's JSON text, or `null`. */
  get(table: string, key: string): string | null {
    checkTable(table);
    const rows = this.sql.exec<{ doc: string }>("SELECT doc FROM evodb_docs WHERE table_name = ? AND doc_key = ?", table, key).toArray();
    return rows.length === 0 ? null : rows[0]!.doc;
  }

  /** Documents of a table in key order, starting after `after`. */
  list(table: string, after: string | null, limit: number): { key: string; doc: string }[] {
    checkTable(table);
    return this.sql
      .exec<{ doc_key: string; doc: string }>(
        "SELECT doc_key, doc FROM evodb_docs WHERE table_name = ? AND doc_key > ? ORDER BY doc_key LIMIT ?",
        table, after ?? "", Math.max(1, Math.min(limit, 1000)),
      )
      .toArray()
      .map((row) => ({ key: row.doc_key, doc: row.doc }));
  }

  /** Names of the tables that hold documents. */
  tables(): string[] {
    return this.sql.exec<{ table_name: string }>("SELECT DISTINCT table_name FROM evodb_docs ORDER BY table_name").toArray().map((row) => row.table_name);
  }

  /** LSN of the newest WAL entry ever written (0 when none). */
  lastLsn(): number {
    return this.state("last_lsn");
  }

  /** Highest LSN the writer acknowledged. */
  ackedLsn(): number {
    return this.state("acked_lsn");
  }

  /** Records an acknowledgement and trims the WAL up to it, in one transaction. */
  acknowledge(lsn: number): void {
    this.storage.transactionSync(() => {
      if (lsn <= this.ackedLsn()) return;
      this.setState("acked_lsn", lsn);
      this.sql.exec("DELETE FROM evodb_wal WHERE lsn <= ?", lsn);
    });
  }

  /** Number of WAL entries not yet acknowledged. */
  pendingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM evodb_wal").one().n;
  }

  /** Up to `maxEntries` WAL entries after `lsn` whose encoded size stays below `maxBytes` (at least one). */
  entriesAfter(lsn: number, maxEntries: number, maxBytes: number): CdcEntry[] {
    const entries: CdcEntry[] = [];
    let bytes = 0;
    for (const row of this.sql.exec<Record<string, SqlStorageValue>>(
      "SELECT lsn, table_name, doc_key, op, doc, time FROM evodb_wal WHERE lsn > ? ORDER BY lsn LIMIT ?",
      lsn, maxEntries,
    )) {
      const entry: CdcEntry = {
        lsn: row["lsn"] as number,
        table: row["table_name"] as string,
        key: row["doc_key"] as string,
        op: row["op"] as CdcEntry["op"],
        doc: row["doc"] as string | null,
        time: row["time"] as number,
      };
      bytes += estimateEntryBytes(entry);
      if (entries.length > 0 && bytes > maxBytes) break;
      entries.push(entry);
    }
    return entries;
  }

  /** The tenant recorded by {@link recordTenant}, or `null`. */
  recordedTenant(): string | null {
    const rows = this.sql.exec<{ tenant: string }>("SELECT tenant FROM evodb_edge_tenant WHERE singleton = 1").toArray();
    return rows.length === 0 ? null : rows[0]!.tenant;
  }

  /** Records the tenant this object holds (a no-op once recorded: an object never changes tenant). */
  recordTenant(tenant: string): void {
    this.sql.exec("INSERT INTO evodb_edge_tenant (singleton, tenant) VALUES (1, ?) ON CONFLICT (singleton) DO NOTHING", tenant);
  }

  /** Failed CDC attempts in a row (drives the retry backoff). */
  failures(): number {
    return this.state("cdc_failures");
  }

  /** Sets the failure counter. */
  setFailures(count: number): void {
    this.setState("cdc_failures", count);
  }
}
