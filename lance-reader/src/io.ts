/**
 * Range reads of one object through the `ObjectStore` seam, so the same reader runs on R2 from a
 * Worker and on the filesystem in Node. Every range is checked against the object size first:
 * offsets in a corrupt file must not turn into huge or negative reads.
 */
import { EvoDBError, type ObjectStore } from "@evodb/core";
import { check } from "./errors";

/** One object opened for range reads. */
export class RangeReader {
  constructor(
    readonly store: ObjectStore,
    readonly key: string,
    /** Size of the whole object in bytes. */
    readonly size: number,
  ) {}

  /** Opens `key`, using `knownSize` (e.g. a manifest's `file_size_bytes`) to skip the HEAD request. */
  static async open(store: ObjectStore, key: string, knownSize?: number): Promise<RangeReader> {
    if (knownSize !== undefined && knownSize > 0) return new RangeReader(store, key, knownSize);
    const head = await store.head(key);
    if (!head) throw new EvoDBError("NOT_FOUND", `Lance object ${key} does not exist; check the dataset path`);
    return new RangeReader(store, key, head.size);
  }

  /** Reads `length` bytes at `offset`; CORRUPT_LANCE when the range leaves the object. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    check(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= this.size, `range ${offset}+${length} lies outside ${this.key} (${this.size} bytes)`);
    if (length === 0) return new Uint8Array(0);
    const body = await this.store.get(this.key, { range: { offset, length } });
    if (!body) throw new EvoDBError("NOT_FOUND", `Lance object ${this.key} disappeared while reading; reopen the dataset`);
    const bytes = new Uint8Array(await body.arrayBuffer());
    check(bytes.length === length, `short read of ${this.key}: asked ${length} bytes at ${offset}, got ${bytes.length}`);
    return bytes;
  }

  /** Reads the last `length` bytes (or the whole object when smaller). */
  tail(length: number): Promise<Uint8Array> {
    const n = Math.min(length, this.size);
    return this.read(this.size - n, n);
  }
}

/**
 * Range reads of one object in flight at once. Independent reads (a page's buffers, scattered
 * re-rank candidates) issued one after another cost a round trip each (on R2, or a libuv thread-pool
 * trip per file operation in Node); concurrently about one per batch. Eight stays close to a Worker's
 * six simultaneous connections (the rest queue) without flooding either store.
 */
export const READS_IN_FLIGHT = 8;

/** Reads every `[offset, length]` range of `reader`, at most {@link READS_IN_FLIGHT} at once; results in input order. */
export async function readRanges(reader: RangeReader, ranges: readonly (readonly [offset: number, length: number])[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = new Array(ranges.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ranges.length) {
      const i = next++;
      // An empty range needs no request (an empty page buffer may sit at any offset).
      out[i] = ranges[i]![1] === 0 ? new Uint8Array(0) : await reader.read(ranges[i]![0], ranges[i]![1]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, ranges.length) }, worker));
  return out;
}

/** Reads a whole object (small metadata files: manifests, deletion files). */
export async function readWhole(store: ObjectStore, key: string): Promise<Uint8Array> {
  const body = await store.get(key);
  if (!body) throw new EvoDBError("NOT_FOUND", `Lance object ${key} does not exist; check the dataset path and version`);
  return new Uint8Array(await body.arrayBuffer());
}

/** Little-endian view helpers over a byte slice, with bounds checks. */
export class ByteView {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(pos: number): number {
    check(pos >= 0 && pos + 2 <= this.bytes.length, "read past the end of a buffer");
    return this.view.getUint16(pos, true);
  }
  u32(pos: number): number {
    check(pos >= 0 && pos + 4 <= this.bytes.length, "read past the end of a buffer");
    return this.view.getUint32(pos, true);
  }
  /** A u64 that must fit a safe integer (offsets, sizes, counts). */
  u64(pos: number): number {
    check(pos >= 0 && pos + 8 <= this.bytes.length, "read past the end of a buffer");
    const value = this.view.getUint32(pos, true) + this.view.getUint32(pos + 4, true) * 2 ** 32;
    check(Number.isSafeInteger(value), "a 64-bit offset or size exceeds 2^53");
    return value;
  }
}
