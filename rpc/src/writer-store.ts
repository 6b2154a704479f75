import { EvoDBError } from "@evodb/core";
import type { CdcEntry } from "./batch";

/**
 * The writer Durable Object's durable buffer, in its own SQLite database (tables prefixed
 * `evodb_`, so a user's subclass can keep its own tables beside them). Everything here is
 * synchronous SQL: a batch is stored in one `transactionSync`, and the runtime's output gate holds
 * the ACK the caller sends afterwards until the write is durable.
 */

/** One buffered entry as the flush function sees it: the WAL entry plus where it came from. */
export interface BufferedEntry extends CdcEntry {
  /** Tenant that wrote it (authenticated in the HELLO). */
  tenant: string;
  /** The edge object that sent it. */
  sourceId: string;
}

/** A flush that was started and not yet completed (it survives restarts). */
export interface FlushClaim {
  /** Increases by one per flush; the flush function uses it to make retries idempotent. */
  flushId: number;
  /** Every buffered entry with `seq <= maxSeq` belongs to this flush. */
  maxSeq: number;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS evodb_cdc_sources (
     source_id TEXT PRIMARY KEY,
     tenant TEXT NOT NULL,
     acked_lsn INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS evodb_cdc_buffer (
     seq INTEGER PRIMARY KEY,
     source_id TEXT NOT NULL,
     lsn INTEGER NOT NULL,
     tenant TEXT NOT NULL,
     table_name TEXT NOT NULL,
     doc_key TEXT NOT NULL,
     op TEXT NOT NULL,
     doc TEXT,
     time INTEGER NOT NULL,
     UNIQUE (source_id, lsn)
   )`,
  `CREATE TABLE IF NOT EXISTS evodb_writer_state (
     name TEXT PRIMARY KEY,
     value INTEGER NOT NULL
   )`,
];

type Row = Record<string, SqlStorageValue>;

/** SQL access of the writer Durable Object. */
export class WriterStore {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  private stateValue(name: string): number | null {
    const rows = this.sql.exec<{ value: number }>("SELECT value FROM evodb_writer_state WHERE name = ?", name).toArray();
    return rows.length === 0 ? null : rows[0]!.value;
  }

  private setState(name: string, value: number | null): void {
    if (value === null) this.sql.exec("DELETE FROM evodb_writer_state WHERE name = ?", name);
    else this.sql.exec("INSERT INTO evodb_writer_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value);
  }

  /**
   * Highest durable LSN of `sourceId`, after checking the source belongs to `tenant` (a source id
   * never changes tenant; a mismatch is refused with FORBIDDEN).
   */
  durableLsn(sourceId: string, tenant: string): number {
    const rows = this.sql.exec<{ tenant: string; acked_lsn: number }>("SELECT tenant, acked_lsn FROM evodb_cdc_sources WHERE source_id = ?", sourceId).toArray();
    if (rows.length === 0) return 0;
    if (rows[0]!.tenant !== tenant) {
      throw new EvoDBError("FORBIDDEN", `source ${sourceId} belongs to another tenant; each edge object writes for one tenant only`);
    }
    return rows[0]!.acked_lsn;
  }

  /**
   * Stores `entries` and moves the source's durable LSN to `lastLsn`, in one transaction. Entries
   * at or below the durable LSN are skipped, and (source, LSN) is unique, so a retransmission
   * never stores anything twice.
   */
  persist(tenant: string, sourceId: string, entries: readonly CdcEntry[], lastLsn: number): number {
    return this.storage.transactionSync(() => {
      const floor = this.durableLsn(sourceId, tenant);
      let stored = 0;
      for (const entry of entries) {
        if (entry.lsn <= floor) continue;
        const cursor = this.sql.exec(
          `INSERT INTO evodb_cdc_buffer (source_id, lsn, tenant, table_name, doc_key, op, doc, time)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_id, lsn) DO NOTHING`,
          sourceId, entry.lsn, tenant, entry.table, entry.key, entry.op, entry.doc, entry.time,
        );
        stored += cursor.rowsWritten > 0 ? 1 : 0;
      }
      this.sql.exec(
        `INSERT INTO evodb_cdc_sources (source_id, tenant, acked_lsn) VALUES (?, ?, ?)
         ON CONFLICT (source_id) DO UPDATE SET acked_lsn = max(acked_lsn, excluded.acked_lsn)`,
        sourceId, tenant, Math.max(lastLsn, floor),
      );
      return stored;
    });
  }

  /** Number of buffered entries not yet flushed. */
  pendingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM evodb_cdc_buffer").one().n;
  }

  /** The flush in progress, if a previous run started one and did not complete it. */
  currentFlush(): FlushClaim | null {
    const flushId = this.stateValue("flush_id");
    const maxSeq = this.stateValue("flush_max_seq");
    return flushId === null || maxSeq === null ? null : { flushId, maxSeq };
  }

  /**
   * Claims the oldest buffered entries for a new flush, at most `maxEntries` and about `maxBytes`
   * of documents (at least one entry), and records the claim durably, so a restart retries the
   * same flush with the same id and entries.
   */
  claimFlush(maxEntries: number, maxBytes: number): FlushClaim | null {
    return this.storage.transactionSync(() => {
      let maxSeq: number | null = null;
      let bytes = 0;
      for (const row of this.sql.exec<{ seq: number; bytes: number }>(
        "SELECT seq, coalesce(length(CAST(doc AS BLOB)), 0) + 64 AS bytes FROM evodb_cdc_buffer ORDER BY seq LIMIT ?",
        maxEntries,
      )) {
        bytes += row.bytes;
        if (maxSeq !== null && bytes > maxBytes) break;
        maxSeq = row.seq;
      }
      if (maxSeq === null) return null;
      const flushId = (this.stateValue("last_flush_id") ?? 0) + 1;
      this.setState("last_flush_id", flushId);
      this.setState("flush_id", flushId);
      this.setState("flush_max_seq", maxSeq);
      return { flushId, maxSeq };
    });
  }

  /** The entries of a claimed flush, in arrival order. */
  claimedEntries(claim: FlushClaim): BufferedEntry[] {
    return this.sql
      .exec<Row>("SELECT source_id, lsn, tenant, table_name, doc_key, op, doc, time FROM evodb_cdc_buffer WHERE seq <= ? ORDER BY seq", claim.maxSeq)
      .toArray()
      .map((row) => ({
        sourceId: row["source_id"] as string,
        lsn: row["lsn"] as number,
        tenant: row["tenant"] as string,
        table: row["table_name"] as string,
        key: row["doc_key"] as string,
        op: row["op"] as CdcEntry["op"],
        doc: row["doc"] as string | null,
        time: row["time"] as number,
      }));
  }

  /** The flush function succeeded: drop its entries and the claim in one transaction. */
  completeFlush(claim: FlushClaim): void {
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM evodb_cdc_buffer WHERE seq <= ?", claim.maxSeq);
      this.setState("flush_id", null);
      this.setState("flush_max_seq", null);
      this.setState("flush_failures", null);
    });
  }

  /** Counts a failed flush attempt; returns how many in a row failed. */
  recordFlushFailure(): number {
    const failures = (this.stateValue("flush_failures") ?? 0) + 1;
    this.setState("flush_failures", failures);
    return failures;
  }

  /** Durable LSN per source (for status pages and tests). */
  sources(): { sourceId: string; tenant: string; ackedLsn: number }[] {
    return this.sql
      .exec<{ source_id: string; tenant: string; acked_lsn: number }>("SELECT source_id, tenant, acked_lsn FROM evodb_cdc_sources ORDER BY source_id")
      .toArray()
      .map((row) => ({ sourceId: row.source_id, tenant: row.tenant, ackedLsn: row.acked_lsn }));
  }
}
