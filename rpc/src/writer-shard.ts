import { EvoDBError } from "@evodb/core";

/** Most writer shards a deployment may configure (each is one Durable Object). */
export const MAX_WRITER_SHARDS = 1024;

/** Name of the only writer when there is one shard: unchanged from single-writer deployments. */
export const SINGLE_WRITER_NAME = "evodb-writer";

/**
 * FNV-1a (32-bit) of the tenant name's UTF-8 bytes: a fixed, platform-independent hash, so a
 * tenant maps to the same writer in every isolate and after every deploy.
 */
export function tenantShardHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/**
 * Parses `EVODB_WRITER_SHARDS`: absent means 1; otherwise an integer from 1 to {@link MAX_WRITER_SHARDS}.
 * A bad value is refused rather than guessed: a wrong count would send tenants to other writers.
 */
export function parseWriterShards(value: string | undefined): number {
  if (value === undefined || value === "") return 1;
  const shards = Number(value);
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_WRITER_SHARDS) {
    throw new EvoDBError("INVALID_ARGUMENT", `EVODB_WRITER_SHARDS must be an integer from 1 to ${MAX_WRITER_SHARDS}, got "${value.slice(0, 40)}"`);
  }
  return shards;
}

/**
 * The `idFromName` of the writer Durable Object that receives `tenant`'s CDC when there are
 * `shards` writers: `evodb-writer` for one, else `evodb-writer-shard-<FNV-1a(tenant) mod shards>`.
 * Every table belongs to one tenant, so each table is committed by exactly one writer.
 */
export function writerShardName(tenant: string, shards: number): string {
  return shards === 1 ? SINGLE_WRITER_NAME : `evodb-writer-shard-${tenantShardHash(tenant) % shards}`;
}
