import { EvoDBError, type EvoDBErrorCode } from "@evodb/core";

/** Version of the node request/response wire format (docs/snippets-chain.md). */
export const WIRE_VERSION = 1;

/** What a node does when part of its subtree fails: throw, or answer without it. */
export type FailureMode = "fail" | "partial";

/** A range of partitions `[start, end)`. */
export type PartitionRange = [number, number];

/** The body of a request to one node (docs/snippets-chain.md, "Node request"). */
export interface NodeRequest {
  /** Wire version; a node refuses any other. */
  v: typeof WIRE_VERSION;
  /** `Reducer.kind` of the caller; a node refuses a different reducer. */
  reducer: string;
  /** Opaque JSON handed to the map function on every leaf. */
  query: unknown;
  /** Partitions this node answers for. */
  range: PartitionRange;
  /** Children per node (subrequests before retries). */
  fanOut: number;
  /** Partitions a leaf maps itself. */
  partitionsPerLeaf: number;
  /** Failure semantics chosen by the caller. */
  failure: FailureMode;
  /** Milliseconds this node has to answer. */
  timeoutMs: number;
  /** Attempts per child subrequest (1 = no retry). */
  attempts: number;
  /** Level of this node in the tree (root 0). */
  level: number;
}

/** Work counters of a subtree, summed up the tree. */
export interface NodeStats {
  /** Nodes that answered in the subtree (this one included). */
  nodes: number;
  /** Subrequests started in the subtree, retries included. */
  subrequests: number;
  /** Retry attempts in the subtree. */
  retries: number;
  /** Most subrequests any one node of the subtree started. */
  maxNodeSubrequests: number;
}

/** One failed range and why, as carried in error details. */
export interface FailedRange {
  range: PartitionRange;
  code: EvoDBErrorCode;
  message: string;
}

/** The body of a node's answer (docs/snippets-chain.md, "Node response"). */
export type NodeResponse =
  | { v: typeof WIRE_VERSION; ok: true; result: unknown; partial: boolean; missing: PartitionRange[]; stats: NodeStats }
  | { v: typeof WIRE_VERSION; ok: false; error: { code: EvoDBErrorCode; message: string; details?: Record<string, unknown> }; missing: PartitionRange[]; stats: NodeStats };

const ERROR_CODES = new Set<string>([
  "CORRUPT_BLOCK", "CORRUPT_WAL", "CORRUPT_FRAME", "CORRUPT_LANCE", "CORRUPT_METADATA", "UNSUPPORTED_VERSION",
  "UNSUPPORTED_FEATURE", "SCHEMA_MISMATCH", "SCHEMA_BREAKING_CHANGE", "COMMIT_CONFLICT", "NOT_FOUND",
  "INVALID_ARGUMENT", "INVALID_NAME", "LIMIT_EXCEEDED", "QUERY_PARSE", "QUERY_INVALID", "UNAUTHORIZED",
  "FORBIDDEN", "STORAGE_ERROR", "TIMEOUT", "INTERNAL",
]);

function bad(what: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", `snippets-chain: malformed node message: ${what}`, { details: { wire: WIRE_VERSION } });
}

function checkVersion(object: Record<string, unknown>): void {
  if (object.v !== WIRE_VERSION) {
    throw new EvoDBError("UNSUPPORTED_VERSION", `snippets-chain: wire version ${String(object.v)} is not supported (this build speaks ${WIRE_VERSION}); deploy the same @evodb/snippets-chain version on every node`, {
      details: { version: object.v, supported: WIRE_VERSION },
    });
  }
}

function isInt(value: unknown, min: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min;
}

function isRange(value: unknown): value is PartitionRange {
  return Array.isArray(value) && value.length === 2 && isInt(value[0], 0) && isInt(value[1], 0) && value[1] >= value[0];
}

function asObject(json: unknown): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw bad("expected a JSON object");
  return json as Record<string, unknown>;
}

/** Validates a parsed request body; throws `UNSUPPORTED_VERSION` or `INVALID_ARGUMENT`. */
export function parseNodeRequest(json: unknown): NodeRequest {
  const o = asObject(json);
  checkVersion(o);
  if (typeof o.reducer !== "string") throw bad("reducer must be a string");
  if (!isRange(o.range)) throw bad("range must be [start, end) with 0 <= start <= end");
  if (!isInt(o.fanOut, 2)) throw bad("fanOut must be an integer >= 2");
  if (!isInt(o.partitionsPerLeaf, 1)) throw bad("partitionsPerLeaf must be an integer >= 1");
  if (o.failure !== "fail" && o.failure !== "partial") throw bad('failure must be "fail" or "partial"');
  if (!isInt(o.timeoutMs, 1)) throw bad("timeoutMs must be an integer >= 1");
  if (!isInt(o.attempts, 1)) throw bad("attempts must be an integer >= 1");
  if (!isInt(o.level, 0)) throw bad("level must be an integer >= 0");
  return o as unknown as NodeRequest;
}

function parseStats(json: unknown): NodeStats {
  const o = asObject(json);
  for (const key of ["nodes", "subrequests", "retries", "maxNodeSubrequests"]) if (!isInt(o[key], 0)) throw bad(`stats.${key} must be an integer`);
  return o as unknown as NodeStats;
}

/** Validates a parsed response body; throws `UNSUPPORTED_VERSION` or `INVALID_ARGUMENT`. */
export function parseNodeResponse(json: unknown): NodeResponse {
  const o = asObject(json);
  checkVersion(o);
  if (!Array.isArray(o.missing) || !o.missing.every(isRange)) throw bad("missing must be a list of ranges");
  const stats = parseStats(o.stats);
  if (o.ok === true) {
    if (typeof o.partial !== "boolean") throw bad("partial must be a boolean");
    return { v: WIRE_VERSION, ok: true, result: o.result, partial: o.partial, missing: o.missing, stats };
  }
  if (o.ok !== false) throw bad("ok must be a boolean");
  const error = asObject(o.error);
  if (typeof error.code !== "string" || !ERROR_CODES.has(error.code) || typeof error.message !== "string") throw bad("error needs a known code and a message");
  const details = error.details === undefined ? undefined : asObject(error.details);
  return {
    v: WIRE_VERSION,
    ok: false,
    error: details === undefined ? { code: error.code as EvoDBErrorCode, message: error.message } : { code: error.code as EvoDBErrorCode, message: error.message, details },
    missing: o.missing,
    stats,
  };
}

/** Sorts and joins adjacent or overlapping ranges. */
export function normalizeRanges(ranges: readonly PartitionRange[]): PartitionRange[] {
  const sorted = ranges.filter(([s, e]) => e > s).map(([s, e]): PartitionRange => [s, e]).sort((a, b) => a[0] - b[0]);
  const out: PartitionRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else out.push(range);
  }
  return out;
}

/** Every partition index in `ranges`, ascending. */
export function expandRanges(ranges: readonly PartitionRange[]): number[] {
  const out: number[] = [];
  for (const [start, end] of normalizeRanges(ranges)) for (let p = start; p < end; p++) out.push(p);
  return out;
}
