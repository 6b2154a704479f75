import { EvoDBError } from "@evodb/core";
import { malformed, objectOf, type Reducer } from "../reducer";

/**
 * Distinct-count partial. Small cardinalities are kept as an exact set of canonical keys; once the
 * set passes `exactLimit` keys it becomes a HyperLogLog sketch (Flajolet et al. 2007) of `2^p`
 * one-byte registers. Both forms merge exactly: sets by union, sketches by register-wise max. So a
 * merged partial is identical to the partial built from all the inputs at once: exact when the true
 * distinct count is at most `exactLimit`, otherwise the sketch of the whole data.
 */
export interface DistinctPartial {
  /** Canonical keys while exact, else null. */
  exact: Set<string> | null;
  /** HLL registers once converted, else null. */
  registers: Uint8Array | null;
}

/** Options of {@link distinctReducer}. */
export interface DistinctOptions {
  /** HLL precision: 2^p registers, relative standard error 1.04 / sqrt(2^p). 4..16, default 12 (1.6 %). */
  precision?: number;
  /** Largest set kept exact. Default 256. */
  exactLimit?: number;
}

/** The documented relative standard error of an HLL of precision `p`: 1.04 / sqrt(2^p). */
export function hllStandardError(precision: number): number {
  return 1.04 / Math.sqrt(2 ** precision);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** MurmurHash3 (x86, 32-bit) over UTF-16 code units, one 16-bit unit per block step. */
function hashKey(key: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < key.length; i++) {
    let k = Math.imul(key.charCodeAt(i), 0xcc9e2d51);
    k = Math.imul(rotl(k, 15), 0x1b873593);
    h = (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0;
  }
  h ^= key.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Canonical key: numbers and strings never collide (`1` vs `"1"`), and -0 counts as 0. */
export function distinctKey(value: string | number): string {
  return typeof value === "number" ? `#${String(value)}` : `$${value}`;
}

function insertKey(registers: Uint8Array, precision: number, key: string): void {
  // Two independent 32-bit hashes act as one 64-bit hash: p bits of the first pick the register,
  // the rank comes from the second, so ranks are not limited to 32 - p bits.
  const index = hashKey(key, 0x9747b28c) >>> (32 - precision);
  const rank = Math.clz32(hashKey(key, 0x5bd1e995)) + 1;
  if (rank > registers[index]!) registers[index] = rank;
}

function toRegisters(keys: Set<string>, precision: number): Uint8Array {
  const registers = new Uint8Array(1 << precision);
  for (const key of keys) insertKey(registers, precision, key);
  return registers;
}

function estimate(registers: Uint8Array): number {
  const m = registers.length;
  let harmonic = 0;
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    const r = registers[i]!;
    harmonic += 2 ** -r;
    if (r === 0) zeros++;
  }
  const alpha = m >= 128 ? 0.7213 / (1 + 1.079 / m) : m === 64 ? 0.709 : m === 32 ? 0.697 : 0.673;
  const raw = (alpha * m * m) / harmonic;
  // Small-range correction (linear counting), as in the original paper.
  if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
  return Math.round(raw);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunked so String.fromCharCode never gets more arguments than an engine accepts.
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(binary);
}

function fromBase64(text: string, length: number): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch (cause) {
    throw malformed("distinct", `registers are not base64 (${String(cause)})`);
  }
  if (binary.length !== length) throw malformed("distinct", `expected ${length} registers, got ${binary.length}`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const r = binary.charCodeAt(i);
    if (r > 33) throw malformed("distinct", `register ${i} holds ${r} (> 33)`);
    out[i] = r;
  }
  return out;
}

/** Distinct count of strings and numbers: exact up to `exactLimit`, then HLL (see {@link DistinctPartial}). */
export function distinctReducer(options: DistinctOptions = {}): Reducer<DistinctPartial, number> & {
  add(partial: DistinctPartial, value: string | number): void;
} {
  const precision = options.precision ?? 12;
  const exactLimit = options.exactLimit ?? 256;
  if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
    throw new EvoDBError("INVALID_ARGUMENT", `snippets-chain: HLL precision must be an integer 4..16, got ${String(precision)}`, { details: { field: "precision" } });
  }
  if (!Number.isSafeInteger(exactLimit) || exactLimit < 0) {
    throw new EvoDBError("INVALID_ARGUMENT", `snippets-chain: exactLimit must be an integer >= 0, got ${String(exactLimit)}`, { details: { field: "exactLimit" } });
  }
  const kind = `distinct(p=${precision},exact=${exactLimit})`;
  const spill = (partial: DistinctPartial): DistinctPartial => {
    if (partial.exact !== null && partial.exact.size > exactLimit) return { exact: null, registers: toRegisters(partial.exact, precision) };
    return partial;
  };
  return {
    kind,
    /** Adds one value. */
    add(partial, value) {
      const key = distinctKey(value);
      if (partial.registers !== null) {
        insertKey(partial.registers, precision, key);
        return;
      }
      partial.exact!.add(key);
      if (partial.exact!.size > exactLimit) {
        partial.registers = toRegisters(partial.exact!, precision);
        partial.exact = null;
      }
    },
    empty: () => ({ exact: new Set(), registers: null }),
    merge: (left, right) => {
      if (left.exact !== null && right.exact !== null) {
        const union = new Set(left.exact);
        for (const key of right.exact) union.add(key);
        return spill({ exact: union, registers: null });
      }
      const out = left.registers !== null ? left.registers.slice() : toRegisters(left.exact!, precision);
      if (right.registers !== null) {
        for (let i = 0; i < out.length; i++) if (right.registers[i]! > out[i]!) out[i] = right.registers[i]!;
      } else {
        for (const key of right.exact!) insertKey(out, precision, key);
      }
      return { exact: null, registers: out };
    },
    finalize: (partial) => (partial.exact !== null ? partial.exact.size : estimate(partial.registers!)),
    encode: (partial) =>
      partial.exact !== null
        ? { kind, exact: [...partial.exact].sort() }
        : { kind, registers: toBase64(partial.registers!) },
    decode: (json) => {
      const object = objectOf("distinct", json);
      if (object.kind !== kind) throw malformed("distinct", `sketch kind ${String(object.kind)} does not match ${kind}`);
      if (Array.isArray(object.exact)) {
        if (object.exact.length > exactLimit || !object.exact.every((k) => typeof k === "string")) {
          throw malformed("distinct", `exact must hold at most ${exactLimit} strings`);
        }
        return { exact: new Set(object.exact as string[]), registers: null };
      }
      if (typeof object.registers !== "string") throw malformed("distinct", "expected exact or registers");
      return { exact: null, registers: fromBase64(object.registers, 1 << precision) };
    },
  };
}
