import { EvoDBError } from "@evodb/core";

/** A file or manifest version this reader does not know. */
export function unsupportedVersion(key: string, major: number, minor: number): EvoDBError {
  return new EvoDBError("UNSUPPORTED_VERSION", `${key} is Lance file format ${major}.${minor}; this reader supports legacy (0.1/0.2), 2.0 (0.3), 2.1 and 2.2`, { details: { key, major, minor } });
}
