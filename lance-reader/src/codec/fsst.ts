/**
 * FSST string decompression (Boncz et al., VLDB 2020) in the layout of Lance's `fsst` crate.
 * The symbol table is an 8-byte LE header (bits 32-63 "FSST" magic, bit 24 encoder on,
 * bits 0-7 symbol count n), n 8-byte symbols, then n one-byte symbol lengths. In the data, code
 * 255 escapes one literal byte; any other code emits its symbol.
 */
import { check } from "../errors";

const MAGIC = 0x46535354;
const ESCAPE = 255;

/** A parsed symbol table. */
export interface FsstTable {
  readonly enabled: boolean;
  readonly symbols: Uint8Array;
  readonly lengths: Uint8Array;
  readonly count: number;
}

/** Parses a serialized symbol table (2,312 bytes as Lance writes it). */
export function parseFsstTable(table: Uint8Array): FsstTable {
  check(table.length >= 8, "FSST symbol table is truncated");
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  check(view.getUint32(4, true) === MAGIC, "FSST symbol table has no FSST magic");
  const info = view.getUint32(0, true);
  const count = info & 0xff;
  check(table.length >= 8 + count * 9, "FSST symbol table is truncated");
  const lengths = table.slice(8 + count * 8, 8 + count * 9);
  for (let i = 0; i < count; i++) check(lengths[i]! >= 1 && lengths[i]! <= 8, "FSST symbol length out of range");
  return { enabled: (info & (1 << 24)) !== 0, symbols: table.slice(8, 8 + count * 8), lengths, count };
}

/**
 * Decompresses `n` strings given by `offsets` (n+1 entries into `data`). Returns new offsets
 * (starting at 0) and bytes.
 */
export function fsstDecompress(table: FsstTable, offsets: Uint32Array, data: Uint8Array): { offsets: Uint32Array; bytes: Uint8Array } {
  const n = offsets.length - 1;
  const base = offsets[0] ?? 0;
  if (!table.enabled) {
    const out = new Uint32Array(n + 1);
    for (let i = 0; i <= n; i++) out[i] = offsets[i]! - base;
    return { offsets: out, bytes: data.subarray(base, offsets[n]) };
  }
  // First pass: exact output size, so the second pass writes into one allocation.
  const { symbols, lengths, count } = table;
  let total = 0;
  const end = offsets[n]!;
  check(end <= data.length, "FSST data offsets run past the buffer");
  for (let p = base; p < end; p++) {
    const code = data[p]!;
    if (code === ESCAPE) {
      total++;
      p++;
    } else {
      check(code < count, "FSST code refers to a missing symbol");
      total += lengths[code]!;
    }
  }
  const bytes = new Uint8Array(total);
  const outOffsets = new Uint32Array(n + 1);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const from = offsets[i]!;
    const to = offsets[i + 1]!;
    check(from <= to, "FSST offsets decrease");
    for (let p = from; p < to; p++) {
      const code = data[p]!;
      if (code === ESCAPE) {
        check(p + 1 < to, "FSST escape at the end of a value");
        bytes[o++] = data[++p]!;
      } else {
        const len = lengths[code]!;
        const at = code * 8;
        for (let k = 0; k < len; k++) bytes[o++] = symbols[at + k]!;
      }
    }
    outOffsets[i + 1] = o;
  }
  return { offsets: outOffsets, bytes };
}
