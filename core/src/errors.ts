/**
 * Stable error codes. A code never changes meaning once released: callers branch on it, the HTTP
 * layer maps it to a status, and the CLI prints it. Add new codes here, never ad hoc strings.
 */
export type EvoDBErrorCode =
  /** Bytes of an `.evodb` block (or one of its chunks) are truncated, corrupt or hostile. */
  | "CORRUPT_BLOCK"
  /** A WAL / CDC entry batch failed validation (checksum, bounds, unknown op). */
  | "CORRUPT_WAL"
  /** A CDC protocol frame is malformed, oversized or out of order. */
  | "CORRUPT_FRAME"
  /** A Lance file, manifest or index could not be decoded. */
  | "CORRUPT_LANCE"
  /** A JSON metadata file (manifest, snapshot, schema) is malformed. */
  | "CORRUPT_METADATA"
  /** A format or protocol version this build does not know. */
  | "UNSUPPORTED_VERSION"
  /** A feature of a format that this reader does not implement yet. */
  | "UNSUPPORTED_FEATURE"
  /** A document does not satisfy a locked schema. */
  | "SCHEMA_MISMATCH"
  /** A schema change that is not allowed without forcing a new version. */
  | "SCHEMA_BREAKING_CHANGE"
  /** An optimistic commit lost a race it cannot rebase over. */
  | "COMMIT_CONFLICT"
  /** A key, table, snapshot or version does not exist. */
  | "NOT_FOUND"
  /** A caller passed an argument outside the accepted domain. */
  | "INVALID_ARGUMENT"
  /** A table, partition or key name that could escape its prefix or is otherwise unsafe. */
  | "INVALID_NAME"
  /** A configured limit (bytes, rows, time, paths, subrequests, frame size) was exceeded. */
  | "LIMIT_EXCEEDED"
  /** SQL or JSON query text that does not parse. */
  | "QUERY_PARSE"
  /** A query that parses but cannot be planned or executed (unknown column, bad types). */
  | "QUERY_INVALID"
  /** Credentials missing or wrong. */
  | "UNAUTHORIZED"
  /** Credentials valid, but the resource belongs to someone else. */
  | "FORBIDDEN"
  /** The storage layer failed (I/O error, unexpected response). */
  | "STORAGE_ERROR"
  /** A subrequest or operation timed out. */
  | "TIMEOUT"
  /** Something that should be impossible happened: a bug in EvoDB. */
  | "INTERNAL";

/** Options for {@link EvoDBError}. */
export interface EvoDBErrorOptions {
  /** The lower-level error that caused this one. */
  cause?: unknown;
  /** Structured facts for programs (path, expected type, offset...). Must be JSON-serialisable. */
  details?: Record<string, unknown>;
}

/**
 * The one error class of EvoDB. `code` is stable and machine-readable; `message` says what
 * happened and what to do about it.
 *
 * @example
 * try { decodeBlock(bytes) } catch (e) {
 *   if (isEvoDBError(e, "CORRUPT_BLOCK")) refetch();
 * }
 */
export class EvoDBError extends Error {
  override readonly name = "EvoDBError";
  readonly code: EvoDBErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: EvoDBErrorCode, message: string, options: EvoDBErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** A plain object suitable for a JSON error response. */
  toJSON(): { code: EvoDBErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `value` is an {@link EvoDBError}, optionally with the given code. */
export function isEvoDBError(value: unknown, code?: EvoDBErrorCode): value is EvoDBError {
  return value instanceof EvoDBError && (code === undefined || value.code === code);
}
