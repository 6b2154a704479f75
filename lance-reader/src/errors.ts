import { EvoDBError } from "@evodb/core";

/** A Lance file, manifest or index is truncated, corrupt or hostile. */
export function corrupt(message: string, details?: Record<string, unknown>): EvoDBError {
  return new EvoDBError("CORRUPT_LANCE", `${message}; the Lance data is corrupt or truncated (re-copy the dataset or check the path)`, details ? { details } : {});
}

/** The data uses a Lance feature this reader does not implement. */
export function unsupported(message: string, details?: Record<string, unknown>): EvoDBError {
  return new EvoDBError("UNSUPPORTED_FEATURE", `${message}; this Lance reader does not support it yet`, details ? { details } : {});
}

/** Throws CORRUPT_LANCE unless `condition` holds; used for every bound check on untrusted bytes. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw corrupt(message);
}
