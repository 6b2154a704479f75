/**
 * One fragment of a dataset version: its data files (opened lazily, footer first) and its
 * deletion file, read through the ObjectStore.
 */
import type { ObjectStore } from "@evodb/core";
import { check, corrupt } from "./errors";
import { openLanceFile } from "./file";
import { LanceFileReader } from "./file-reader";
import { RangeReader, readWhole } from "./io";
import { openLegacyFile, type LegacyFileReader } from "./legacy";
import type { DataFile, Fragment } from "./manifest";
import { readArrowInt32Column } from "./arrow-ipc";
import { readRoaring } from "./roaring";
import { toColumn, zeroRaw, type Column } from "./column";
import type { LanceField } from "./schema";

/** Fragment ids above this would make row addresses (`fragment << 32 | offset`) exceed 2^53. */
export const MAX_FRAGMENT_ID = 2 ** 21 - 1;
/**
 * Rows per fragment this reader accepts (Lance's default is 1 Mi rows per file). Guards the
 * per-row masks against absurd counts in a corrupt manifest.
 */
export const MAX_FRAGMENT_ROWS = 2 ** 27;

/** Reads the fields of one fragment. */
export class FragmentReader {
  private readonly files = new Map<string, Promise<LanceFileReader | LegacyFileReader>>();
  private deleted: Promise<Uint8Array | null> | null = null;

  constructor(
    private readonly store: ObjectStore,
    private readonly root: string,
    readonly fragment: Fragment,
  ) {
    if (fragment.id > MAX_FRAGMENT_ID) throw corrupt(`fragment id ${fragment.id} is beyond the supported 2^21 (row addresses must stay below 2^53)`);
    if (fragment.physicalRows > MAX_FRAGMENT_ROWS) throw corrupt(`fragment ${fragment.id} claims ${fragment.physicalRows} rows, more than the supported 2^27`);
    this.rows = fragment.physicalRows;
  }

  private rows: number;

  /** Rows including deleted ones. */
  get physicalRows(): number {
    return this.rows;
  }

  /**
   * Fills in the row count when the manifest lacks `physical_rows` (older writers): it is then
   * the row count of the fragment's first data file.
   */
  async resolveRows(): Promise<void> {
    const first = this.fragment.files[0];
    if (this.rows > 0 || !first) return;
    const rows = (await this.open(first)).numRows;
    check(rows <= MAX_FRAGMENT_ROWS, `fragment ${this.fragment.id} holds more rows than the supported 2^27`);
    this.rows = rows;
  }

  /** Rows removed by the deletion file (counted from the file when the manifest does not say). */
  async deletedRows(): Promise<number> {
    const d = this.fragment.deletion;
    if (!d) return 0;
    if (d.deletedRows > 0) return d.deletedRows;
    const mask = await this.deletedMask();
    let n = 0;
    if (mask) for (let i = 0; i < mask.length; i++) n += mask[i]!;
    return n;
  }

  /** Row address of the fragment's row `offset`. */
  rowAddress(offset: number): number {
    return this.fragment.id * 2 ** 32 + offset;
  }

  /** Per-row deletion mask (1 = deleted), or null when nothing is deleted. */
  deletedMask(): Promise<Uint8Array | null> {
    this.deleted ??= this.loadDeleted();
    return this.deleted;
  }

  private async loadDeleted(): Promise<Uint8Array | null> {
    const d = this.fragment.deletion;
    if (!d) return null;
    const ext = d.kind === "bitmap" ? "bin" : "arrow";
    const bytes = await readWhole(this.store, `${this.root}_deletions/${this.fragment.id}-${d.readVersion}-${d.id}.${ext}`);
    const offsets = d.kind === "bitmap" ? readRoaring(bytes, this.physicalRows) : readArrowInt32Column(bytes);
    const mask = new Uint8Array(this.physicalRows);
    for (const o of offsets) {
      check(o >= 0 && o < this.physicalRows, "deletion file names a row outside its fragment");
      mask[o] = 1;
    }
    return mask;
  }

  private open(file: DataFile): Promise<LanceFileReader | LegacyFileReader> {
    let hit = this.files.get(file.path);
    if (!hit) {
      hit = (async () => {
        const reader = await RangeReader.open(this.store, `${this.root}data/${file.path}`, file.size);
        return file.major === 0 && file.minor < 3 ? openLegacyFile(reader) : new LanceFileReader(await openLanceFile(reader));
      })();
      hit.catch(() => this.files.delete(file.path));
      this.files.set(file.path, hit);
    }
    return hit;
  }

  /**
   * The float32 vectors of rows `offsets` of a fixed_size_list<float32> field, read row by row when
   * the file layout allows it (see LanceFileReader.readFixedRows); null otherwise.
   */
  async readVectorRows(field: LanceField, dimension: number, offsets: Uint32Array): Promise<Float32Array | null> {
    for (const file of this.fragment.files) {
      const at = file.fields.indexOf(field.id);
      if (at < 0) continue;
      const reader = await this.open(file);
      if ("readField" in reader || file.columnIndices.length === 0) return null;
      const bytes = await reader.readFixedRows(file.columnIndices[at]!, dimension * 4, offsets);
      return bytes && new Float32Array(bytes.buffer, bytes.byteOffset, offsets.length * dimension);
    }
    return null;
  }

  /** Reads rows [from, to) of a top-level field; fields missing from every data file read as nulls. */
  async readField(field: LanceField, from: number, to: number): Promise<Column> {
    for (const file of this.fragment.files) {
      const at = file.fields.indexOf(field.id);
      if (at < 0) continue;
      const reader = await this.open(file);
      check(reader.numRows === this.physicalRows, "data file row count differs from its fragment");
      if ("readField" in reader) return reader.readField(field, from, to);
      // column_indices maps a field to its column; older writers leave it empty (schema order).
      const column = file.columnIndices.length > 0 ? file.columnIndices[at]! : reader.meta.schema.fields.findIndex((f) => f.id === field.id);
      check(column >= 0, `field ${field.name} has no column in ${file.path}`);
      return reader.readRange(column, field.type, from, to);
    }
    return toColumn(field.type, zeroRaw(field.type, to - from), new Uint8Array(to - from));
  }
}
