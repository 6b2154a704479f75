/**
 * Optional per-chunk DEFLATE (raw, RFC 1951) through fflate: synchronous and portable (Workers,
 * Node, browsers). CompressionStream is native in workerd but asynchronous, which would make every
 * chunk decode async; node:zlib needs nodejs_compat. Encodings already remove most redundancy, so
 * a chunk is stored compressed only when that saves at least `minGain` of its size.
 */
import { deflateSync, inflateSync } from "fflate";
import { corrupt } from "./bytes";

/** DEFLATE cannot expand data by more than ~1032:1, so a larger stated size is corrupt. */
const MAX_DEFLATE_RATIO = 1032;

/** Compressed bytes, or null when compressing does not save at least `minGain` (0..1) of the size. */
export function deflateIfSmaller(payload: Uint8Array, level: number, minGain: number): Uint8Array | null {
  if (payload.length < 64) return null;
  // Cheap estimate first: a 4 KiB sample that does not compress means the chunk will not either.
  if (payload.length > 16384) {
    const sample = payload.subarray(0, 4096);
    if (deflateSync(sample, { level: 1 }).length > sample.length * (1 - minGain)) return null;
  }
  const packed = deflateSync(payload, { level: level as 1 });
  return packed.length <= payload.length * (1 - minGain) ? packed : null;
}

/** Inflates `packed` into exactly `size` bytes; anything else is CORRUPT_BLOCK. */
export function inflateExactly(packed: Uint8Array, size: number): Uint8Array {
  if (size > packed.length * MAX_DEFLATE_RATIO + 64) corrupt(`compressed chunk of ${packed.length} bytes claims to expand to ${size}`);
  const out = new Uint8Array(size);
  let result: Uint8Array;
  try {
    result = inflateSync(packed, { out });
  } catch (cause) {
    return corrupt(`compressed chunk does not inflate (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (result.length !== size) corrupt(`compressed chunk inflated to ${result.length} bytes, expected ${size}`);
  return result;
}
