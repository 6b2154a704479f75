import { EvoDBError } from "@evodb/core";

/**
 * The `EvoDBError` code `run` throws, or "OK" when it returns. Any other exception propagates, so a
 * decoder that crashes with a RangeError fails the test instead of passing as "some error".
 */
export function evodbErrorCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof EvoDBError) return error.code;
    throw error;
  }
  return "OK";
}
