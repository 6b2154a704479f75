/**
 * Zstandard decompression through `fzstd` (pure JS, ~8 KB): Lance compresses Arrow deletion files
 * with zstd and offers it as opt-in general compression of pages. Failures of the decoder on
 * corrupt input become CORRUPT_LANCE, and the declared size bounds the output.
 */
import { decompress } from "fzstd";
import { check, corrupt } from "../errors";

/** Decompresses one zstd frame whose uncompressed size is `size`. */
export function zstdDecompress(frame: Uint8Array, size: number): Uint8Array {
  check(Number.isSafeInteger(size) && size >= 0 && size <= frame.length * 1024 + 1024, "zstd uncompressed size is implausible");
  let out: Uint8Array;
  try {
    out = decompress(frame, new Uint8Array(size));
  } catch (e) {
    throw corrupt(`zstd data does not decode (${(e as Error)?.message ?? e})`);
  }
  check(out.length === size, "zstd data decoded to the wrong size");
  return out;
}
