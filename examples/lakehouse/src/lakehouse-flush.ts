import { EvoDBError, isEvoDBError, parseJson, stringifyJson, type ObjectStore, type WalEntry } from "@evodb/core";
import { createTable, openTable, type Table } from "@evodb/lakehouse";
import type { CdcFlushInput, CdcFlushOutcome } from "@evodb/rpc/durable-objects";
import { TableWriter } from "@evodb/writer";

/** Where a tenant's tables live: `tenants/<tenant>/<table>/` in the bucket. */
export function tenantRoot(tenant: string): string {
  return `tenants/${tenant}`;
}

/** Opens a tenant's table, creating it on first use (a lost creation race just opens it). */
export async function openOrCreateTable(store: ObjectStore, tenant: string, name: string): Promise<Table> {
  const location = { root: tenantRoot(tenant), name };
  try {
    return await openTable(store, location);
  } catch (error) {
    if (!isEvoDBError(error, "NOT_FOUND")) throw error;
  }
  try {
    return await createTable(store, location);
  } catch (error) {
    // Another flush created it between our open and create.
    if (isEvoDBError(error, "COMMIT_CONFLICT")) return openTable(store, location);
    throw error;
  }
}

/** Where entries the table refused (a locked schema's SCHEMA_MISMATCH) are kept for inspection. */
export function deadLetterKey(tenant: string, table: string, firstLsn: number, lastLsn: number): string {
  return `dead-letter/${tenant}/${table}/${firstLsn}-${lastLsn}.json`;
}

/**
 * Stores refused entries with their errors outside every table prefix (so table maintenance never
 * touches them). Keyed by LSN range, so a repeated flush overwrites rather than duplicates.
 */
async function deadLetter(store: ObjectStore, tenant: string, table: string, rejected: readonly { entry: WalEntry; error: EvoDBError }[]): Promise<void> {
  const lines = rejected.map(({ entry, error }) =>
    `{"lsn":${entry.lsn},"op":${JSON.stringify(entry.op)},"key":${stringifyJson(entry.primaryKey)},"error":${JSON.stringify(error.toJSON())},"document":${entry.document === undefined ? "null" : stringifyJson(entry.document)}}`,
  );
  await store.put(deadLetterKey(tenant, table, rejected[0]!.entry.lsn, rejected[rejected.length - 1]!.entry.lsn), `[${lines.join(",")}]`);
  console.warn(`EvoDB: ${rejected.length} entries refused by ${tenant}/${table}; kept under dead-letter/`);
}

/**
 * The writer's flush: groups buffered CDC entries by tenant and table and commits each group as
 * one snapshot through `@evodb/writer`'s TableWriter. Idempotent, as the writer Durable Object
 * requires: a table's snapshots record the LSNs they hold, and TableWriter drops entries at or below
 * the committed LSN, so repeating a flush after a crash commits nothing twice. Each table has one
 * source (its tenant's edge object), so its LSNs only grow. A table that fails to commit is
 * reported in the outcome: the writer keeps its entries for a retry and the other tables go on.
 */
export async function flushToLakehouse(store: ObjectStore, input: CdcFlushInput): Promise<CdcFlushOutcome> {
  const groups = new Map<string, { tenant: string; table: string; entries: WalEntry[] }>();
  for (const entry of input.entries) {
    const id = `${entry.tenant}/${entry.table}`;
    let group = groups.get(id);
    if (group === undefined) groups.set(id, (group = { tenant: entry.tenant, table: entry.table, entries: [] }));
    const wal: WalEntry = { table: entry.table, primaryKey: entry.key, lsn: entry.lsn, op: entry.op, time: entry.time };
    if (entry.doc !== null) wal.document = parseJson(entry.doc);
    group.entries.push(wal);
  }
  // Every table gets its chance even if another fails; the writer retries only the failed ones.
  const failed: CdcFlushOutcome["failed"][number][] = [];
  for (const group of groups.values()) {
    try {
      const writer = new TableWriter(await openOrCreateTable(store, group.tenant, group.table));
      const added = await writer.add(group.entries);
      if (added.rejected.length > 0) await deadLetter(store, group.tenant, group.table, added.rejected);
      await writer.flush();
    } catch (error) {
      failed.push({ tenant: group.tenant, table: group.table, error });
    }
  }
  return { failed };
}
