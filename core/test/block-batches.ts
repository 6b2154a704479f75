/** Hand-built ShreddedBatch values for the block tests (independent of the shredder). */
import { Random } from "@evodb/test-utils";
import { BLOCK_TRAILER_SIZE, MemoryObjectStore, Tag, type BlockFooter, type JsonValue, type ObjectGetOptions, type ShreddedBatch, type ShreddedColumn } from "../src/index";
import { writeFooter, writeTrailer, type BlockColumn } from "../src/block/footer";

type Extra = Partial<Pick<ShreddedColumn, "variants" | "overflow">>;

export function intColumn(path: string[], tags: number[], values: number[], extra: Extra = {}): ShreddedColumn {
  return { path, type: "int", tags: Uint8Array.from(tags), values: Float64Array.from(values), ...extra };
}
export function floatColumn(path: string[], tags: number[], values: number[], extra: Extra = {}): ShreddedColumn {
  return { path, type: "float", tags: Uint8Array.from(tags), values: Float64Array.from(values), ...extra };
}
export function stringColumn(path: string[], tags: number[], values: string[], extra: Extra = {}): ShreddedColumn {
  return { path, type: "string", tags: Uint8Array.from(tags), values, ...extra };
}
export function boolColumn(path: string[], tags: number[], values: number[], extra: Extra = {}): ShreddedColumn {
  return { path, type: "bool", tags: Uint8Array.from(tags), values: Uint8Array.from(values), ...extra };
}
export function noneColumn(path: string[], tags: number[], extra: Extra = {}): ShreddedColumn {
  return { path, type: "none", tags: Uint8Array.from(tags), ...extra };
}

/** A fixed 6-row batch that touches every column type, tag, variants (bigint, -0, nested) and overflow. */
export function fixedBatch(): ShreddedBatch {
  const V = Tag.Value;
  const N = Tag.Null;
  const M = Tag.Missing;
  const O = Tag.Object;
  const X = Tag.Variant;
  const variants: (JsonValue | undefined)[] = [undefined, undefined, "seven", undefined, [1, { a: null }], 2n ** 70n];
  const overflow: ({ [key: string]: JsonValue } | undefined)[] = [undefined, { "k-1": -0, "k-2": [true, "é"] }, undefined, undefined, undefined, undefined];
  return {
    rowCount: 6,
    columns: [
      noneColumn([], [O, O, O, O, O, O], { overflow }),
      intColumn(["id"], [V, V, V, V, V, V], [1, 2, 3, 4, 5, Number.MAX_SAFE_INTEGER]),
      intColumn(["n"], [V, N, X, M, X, X], [-(2 ** 53 - 1), 0, 0, 0, 0, 0], { variants }),
      floatColumn(["price"], [V, V, M, V, N, V], [19.99, -0, 0, 1e300, 0, 0.5]),
      stringColumn(["name"], [V, V, V, M, V, N], ["ann", "bob", "ann", "", "日本😀\ud800", ""]),
      boolColumn(["ok"], [V, V, M, V, N, V], [1, 0, 0, 1, 0, 1]),
      noneColumn(["user"], [O, M, O, N, O, M]),
      stringColumn(["user", "email"], [V, M, V, M, M, M], ["a@x.io", "", "c@x.io", "", "", ""]),
    ],
  };
}

/** A random batch: `columns` columns of random types and tags over `rows` rows. */
export function randomBatch(rnd: Random, rows: number, columns: number): ShreddedBatch {
  const out: ShreddedColumn[] = [];
  for (let c = 0; c < columns; c++) {
    const type = rnd.pick(["none", "bool", "int", "float", "string"] as const);
    const valueRate = rnd.pick([0, 0.5, 0.95, 1]);
    const variantRate = rnd.pick([0, 0, 0.05]);
    const tags = new Uint8Array(rows);
    const variants: (JsonValue | undefined)[] = new Array<JsonValue | undefined>(rows).fill(undefined);
    let hasVariant = false;
    const pool = Array.from({ length: rnd.int(1, 50) }, (_, i) => `s${i}-${"é".repeat(rnd.int(0, 3))}`);
    const ints = rnd.int(0, 2);
    const numbers = new Float64Array(rows);
    const strings: string[] = new Array<string>(rows).fill("");
    const bools = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      let tag: number = rnd.chance(valueRate) && type !== "none" ? Tag.Value : rnd.pick([Tag.Missing, Tag.Null, Tag.Object]);
      if (rnd.chance(variantRate)) tag = Tag.Variant;
      tags[i] = tag;
      if (tag === Tag.Variant) {
        hasVariant = true;
        variants[i] = rnd.pick<JsonValue>([[1, 2], { x: "y" }, -0, 2n ** 64n, "v", true, null]);
      }
      if (tag !== Tag.Value) continue;
      if (type === "int") numbers[i] = ints === 0 ? rnd.int(-1000, 1000) : ints === 1 ? 1_700_000_000_000 + i * 1000 : rnd.int(0, 2 ** 31) * 2 ** 21 - 2 ** 52;
      else if (type === "float") numbers[i] = rnd.chance(0.5) ? rnd.int(0, 100000) / 100 : rnd.next() * 1e10 - 5e9;
      else if (type === "string") strings[i] = rnd.pick(pool);
      else if (type === "bool") bools[i] = rnd.chance(0.5) ? 1 : 0;
    }
    const extra: Extra = hasVariant ? { variants } : {};
    const path = [`c${c}`];
    if (type === "none") out.push({ path, type, tags, ...extra });
    else if (type === "bool") out.push({ path, type, tags, values: bools, ...extra });
    else if (type === "string") out.push({ path, type, tags, values: strings, ...extra });
    else out.push({ path, type, tags, values: numbers, ...extra });
  }
  return { rowCount: rows, columns: out };
}

function sameBits(a: Float64Array | Uint8Array, b: Float64Array | Uint8Array): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Exact equality of two batches (bit-exact numbers, so -0 differs from 0). Large typed arrays and
 * string arrays are compared with loops because deep equality is too slow for 10^5 elements.
 */
export function sameBatch(actual: ShreddedBatch, expected: ShreddedBatch): string | null {
  if (actual.rowCount !== expected.rowCount) return `rowCount ${actual.rowCount} != ${expected.rowCount}`;
  if (actual.columns.length !== expected.columns.length) return `column count ${actual.columns.length} != ${expected.columns.length}`;
  for (let c = 0; c < expected.columns.length; c++) {
    const a = actual.columns[c]!;
    const e = expected.columns[c]!;
    const where = `column ${JSON.stringify(e.path)}`;
    if (JSON.stringify(a.path) !== JSON.stringify(e.path) || a.type !== e.type) return `${where}: path/type differ`;
    if (!sameBits(a.tags, e.tags)) return `${where}: tags differ`;
    if (a.type === "string" && e.type === "string") {
      if (a.values.length !== e.values.length || a.values.some((v, i) => v !== e.values[i])) return `${where}: strings differ`;
    } else if (a.type !== "none" && e.type !== "none" && a.type === e.type) {
      if (!sameBits(a.values as Float64Array | Uint8Array, e.values as Float64Array | Uint8Array)) return `${where}: values differ`;
    } else if ("values" in a !== "values" in e) return `${where}: values presence differs`;
    if (Object.keys(a).sort().join() !== Object.keys(e).sort().join()) return `${where}: keys ${Object.keys(a)} vs ${Object.keys(e)}`;
    for (const key of ["variants", "overflow"] as const) {
      const x = a[key];
      const y = e[key];
      if (x === undefined && y === undefined) continue;
      if (!x || !y || x.length !== y.length) return `${where}: ${key} differ`;
      for (let i = 0; i < x.length; i++) {
        if (!sameJson(x[i], y[i])) return `${where}: ${key}[${i}] differ`;
      }
    }
  }
  return null;
}

/** Structural equality of JSON values that tells -0 from 0, bigint from number, and missing from undefined. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (typeof a !== typeof b) return false;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join("\u0000") !== kb.join("\u0000")) return false;
  return ka.every((k) => sameJson((a as Record<string, JsonValue>)[k], (b as Record<string, JsonValue>)[k]));
}

/** A fixed 300-row batch whose chunks compress (deflate is exercised by the golden fixture too). */
export function compressibleBatch(): ShreddedBatch {
  const rows = 300;
  const all = new Array<number>(rows).fill(Tag.Value);
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
  return {
    rowCount: rows,
    columns: [
      stringColumn(["text"], all, Array.from({ length: rows }, (_, i) => `${words[i % 8]} ${words[(i * 3) % 8]} ${words[(i * 5) % 7]} #${i % 10}`)),
      intColumn(["ts"], all, Array.from({ length: rows }, (_, i) => 1_700_000_000_000 + i * 60_000 + ((i * 7919) % 13))),
      floatColumn(["ratio"], all, Array.from({ length: rows }, (_, i) => Math.sin(i) * 1000)),
    ],
  };
}

/**
 * `block`'s data section (everything before `footer.footerOffset`) under a new footer listing
 * `columns`, with a matching trailer: a block whose footer and trailer checksums are valid whatever
 * the columns claim (for forged-footer and mutated-then-resealed tests).
 */
export function withFooter(block: Uint8Array, footer: BlockFooter, columns: readonly BlockColumn[]): Uint8Array {
  const newFooter = writeFooter(footer.rowCount, columns);
  const out = new Uint8Array(footer.footerOffset + newFooter.length + BLOCK_TRAILER_SIZE);
  out.set(block.subarray(0, footer.footerOffset));
  out.set(newFooter, footer.footerOffset);
  out.set(writeTrailer(newFooter), footer.footerOffset + newFooter.length);
  return out;
}

/** A memory store whose `get` records the range of every request in `reads`. */
export function countingStore(): { store: MemoryObjectStore; counting: MemoryObjectStore; reads: ObjectGetOptions["range"][] } {
  const store = new MemoryObjectStore();
  const reads: ObjectGetOptions["range"][] = [];
  const counting = Object.assign(Object.create(store) as MemoryObjectStore, {
    get: (key: string, options?: ObjectGetOptions) => {
      reads.push(options?.range);
      return store.get(key, options);
    },
  });
  return { store, counting, reads };
}
