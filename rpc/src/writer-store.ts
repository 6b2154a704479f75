import { EvoDBError } from "@evodb/core";
import type { CdcEntry } from "./batch";
import { chunks, rowPlaceholders } from "./sql-chunks";

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
  /**
   * The flush holds every buffered entry with `seq <= maxSeq` except those of groups parked at
   * `claimedAt` (the parked set only changes when a flush completes, so this stays the same set).
   */
  maxSeq: number;
  /** Milliseconds since the epoch when the flush was claimed. */
  claimedAt: number;
}

/** A (tenant, table) whose last flush failed: its entries wait until `retryAt`, the others go on. */
export interface ParkedGroup {
  tenant: string;
  table: string;
  /** Failed flushes of this group in a row. */
  failures: number;
  /** Milliseconds since the epoch. */
  retryAt: number;
}

/** Retry delay of a group after `failures` failed flushes in a row: 0.5 s doubling, at most 60 s. */
export function parkedRetryDelayMs(failures: number): number {
  return Math.min(60_000, 500 * 2 ** Math.min(failures - 1, 7));
}

/** SQL condition: the buffered entry `buffer` (a table name or alias) is not of a group parked at `?` (the claim time). */
function notParked(buffer: string): string {
  return `NOT EXISTS (SELECT 1 FROM evodb_cdc_parked p WHERE p.tenant = ${buffer}.tenant AND p.table_name = ${buffer}.table_name AND p.retry_at > ?)`;
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
  `CREATE TABLE IF NOT EXISTS evodb_cdc_parked (
     tenant TEXT NOT NULL,
     table_name TEXT NOT NULL,
     failures INTEGER NOT NULL,
     retry_at INTEGER NOT NULL,
     PRIMARY KEY (tenant, table_name)
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
      const fresh = entries.filter((entry) => entry.lsn > floor);
      // A chunk of entries per statement (sql-chunks.ts); RETURNING counts the rows inserted.
      for (const chunk of chunks(fresh, 6, 2)) {
        stored += this.sql.exec(
          `INSERT INTO evodb_cdc_buffer (source_id, lsn, tenant, table_name, doc_key, op, doc, time)
           SELECT ?, column1, ?, column2, column3, column4, column5, column6 FROM (VALUES ${rowPlaceholders(chunk.length, 6)}) WHERE true ORDER BY column1
           ON CONFLICT (source_id, lsn) DO NOTHING RETURNING seq`,
          sourceId, tenant, ...chunk.flatMap((entry) => [entry.lsn, entry.table, entry.key, entry.op, entry.doc, entry.time]),
        ).toArray().length;
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
    // Claims recorded before parking existed have no time: nothing was parked then.
    return flushId === null || maxSeq === null ? null : { flushId, maxSeq, claimedAt: this.stateValue("flush_claimed_at") ?? 0 };
  }

  /**
   * Claims the oldest buffered entries of groups not parked at `now` for a new flush, at most
   * `maxEntries` and about `maxBytes` of documents (at least one entry), and records the claim
   * durably, so a restart retries the same flush with the same id and entries.
   */
  claimFlush(maxEntries: number, maxBytes: number, now: number): FlushClaim | null {
    return this.storage.transactionSync(() => {
      let maxSeq: number | null = null;
      let bytes = 0;
      for (const row of this.sql.exec<{ seq: number; bytes: number }>(
        `SELECT seq, coalesce(length(CAST(doc AS BLOB)), 0) + 64 AS bytes FROM evodb_cdc_buffer b WHERE ${notParked("b")} ORDER BY seq LIMIT ?`,
        now, maxEntries,
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
      this.setState("flush_claimed_at", now);
      return { flushId, maxSeq, claimedAt: now };
    });
  }

  /** The entries of a claimed flush, in arrival order. */
  claimedEntries(claim: FlushClaim): BufferedEntry[] {
    return this.sql
      .exec<Row>(`SELECT source_id, lsn, tenant, table_name, doc_key, op, doc, time FROM evodb_cdc_buffer b WHERE seq <= ? AND ${notParked("b")} ORDER BY seq`, claim.maxSeq, claim.claimedAt)
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

  /**
   * The flush function returned: in one transaction, park the groups it names as `failed` (their
   * entries stay buffered, in order, until their retry time), drop every other claimed entry,
   * unpark the groups that this flush retried successfully, and clear the claim.
   */
  completeFlush(claim: FlushClaim, failed: readonly { tenant: string; table: string }[], now: number): void {
    this.storage.transactionSync(() => {
      // Groups whose retry time had come were part of this flush: those not failing again are done.
      const retried = this.sql.exec<{ tenant: string; table_name: string; failures: number }>(
        "SELECT tenant, table_name, failures FROM evodb_cdc_parked WHERE retry_at <= ?", claim.claimedAt,
      ).toArray();
      this.sql.exec("DELETE FROM evodb_cdc_parked WHERE retry_at <= ?", claim.claimedAt);
      for (const { tenant, table } of failed) {
        const previous = retried.find((group) => group.tenant === tenant && group.table_name === table)?.failures ?? 0;
        this.sql.exec(
          "INSERT INTO evodb_cdc_parked (tenant, table_name, failures, retry_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, table_name) DO NOTHING",
          tenant, table, previous + 1, now + parkedRetryDelayMs(previous + 1),
        );
      }
      // Parked rows now all have retry_at > claimedAt, so this keeps exactly their entries.
      this.sql.exec(`DELETE FROM evodb_cdc_buffer WHERE seq <= ? AND ${notParked("evodb_cdc_buffer")}`, claim.maxSeq, claim.claimedAt);
      this.setState("flush_id", null);
      this.setState("flush_max_seq", null);
      this.setState("flush_claimed_at", null);
      this.setState("flush_failures", null);
    });
  }

  /** Counts a failed flush attempt (the flush function threw); returns how many in a row failed. */
  recordFlushFailure(): number {
    const failures = (this.stateValue("flush_failures") ?? 0) + 1;
    this.setState("flush_failures", failures);
    return failures;
  }

  /** Groups whose entries wait after a failed flush. */
  parkedGroups(): ParkedGroup[] {
    return this.sql
      .exec<{ tenant: string; table_name: string; failures: number; retry_at: number }>("SELECT tenant, table_name, failures, retry_at FROM evodb_cdc_parked ORDER BY tenant, table_name")
      .toArray()
      .map((row) => ({ tenant: row.tenant, table: row.table_name, failures: row.failures, retryAt: row.retry_at }));
  }

  /**
   * When the next flush should run: `now` if entries of groups not parked are waiting, else the
   * earliest retry time of a parked group that has entries, else `null` (nothing to flush).
   */
  nextFlushAt(now: number): number | null {
    if (this.sql.exec(`SELECT 1 FROM evodb_cdc_buffer b WHERE ${notParked("b")} LIMIT 1`, now).toArray().length > 0) return now;
    const row = this.sql.exec<{ at: number | null }>(
      "SELECT min(p.retry_at) AS at FROM evodb_cdc_parked p WHERE EXISTS (SELECT 1 FROM evodb_cdc_buffer b WHERE b.tenant = p.tenant AND b.table_name = p.table_name)",
    ).one();
    return row.at;
  }

  /** Durable LSN per source (for status pages and tests). */
  sources(): { sourceId: string; tenant: string; ackedLsn: number }[] {
    return this.sql
      .exec<{ source_id: string; tenant: string; acked_lsn: number }>("SELECT source_id, tenant, acked_lsn FROM evodb_cdc_sources ORDER BY source_id")
      .toArray()
      .map((row) => ({ sourceId: row.source_id, tenant: row.tenant, ackedLsn: row.acked_lsn }));
  }
}
