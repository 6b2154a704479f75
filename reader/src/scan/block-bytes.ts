import { EvoDBError, type ObjectStore } from "@evodb/core";

/** A byte range of a block. */
export interface BlockRange {
  readonly offset: number;
  readonly length: number;
}

/** Bytes of a block held in memory, starting at `start`. */
interface Span {
  readonly start: number;
  readonly bytes: Uint8Array;
}

/**
 * The bytes of one block that a scan has in hand, and the range reads that fetch the rest. Every
 * byte of the block is requested at most once: ranges already held (the footer's suffix read,
 * earlier chunks or bloom filters) are served from memory, the missing parts are fetched, and
 * neighbouring missing parts are merged into one request only when the gap between them is not
 * itself held. So a scan's bytes read never exceed the block's size (the honesty of `bytesRead`).
 */
export class BlockBytes {
  private readonly spans: Span[] = [];

  /**
   * @param suffix the last bytes of the block, as fetched for its footer.
   * @param coalesceGap missing ranges at most this many bytes apart are fetched in one request.
   */
  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
    readonly size: number,
    suffix: Uint8Array,
    private readonly coalesceGap: number,
  ) {
    this.spans.push({ start: size - suffix.length, bytes: suffix });
  }

  /**
   * Bytes the given ranges would fetch from the store (0 for ranges held already), without fetching:
   * what a byte limit checks before reading.
   */
  missingBytes(ranges: readonly BlockRange[]): number {
    return this.plan(ranges).reduce((sum, r) => sum + r.end - r.start, 0);
  }

  /** The bytes of each range, in the order given; views into held bytes where possible. */
  async read(ranges: readonly BlockRange[]): Promise<Uint8Array[]> {
    const requests = this.plan(ranges);
    const fetched = await Promise.all(requests.map((r) => this.fetch(r.start, r.end)));
    fetched.forEach((bytes, i) => this.spans.push({ start: requests[i]!.start, bytes }));
    this.spans.sort((a, b) => a.start - b.start);
    return ranges.map((r) => this.bytesAt(r.offset, r.offset + r.length));
  }

  /** The requests that fetch every byte of `ranges` not held yet, coalesced. */
  private plan(ranges: readonly BlockRange[]): { start: number; end: number }[] {
    const missing: { start: number; end: number }[] = [];
    for (const r of ranges) {
      if (r.offset < 0 || r.length < 0 || r.offset + r.length > this.size) {
        throw new EvoDBError("CORRUPT_BLOCK", `Range [${r.offset}, +${r.length}) lies outside block ${this.key} of ${this.size} bytes.`);
      }
      let start = r.offset;
      const end = r.offset + r.length;
      // Spans are sorted and disjoint: walk them, keeping the parts of [start, end) they do not hold.
      for (const span of this.spans) {
        const spanEnd = span.start + span.bytes.length;
        if (spanEnd <= start) continue;
        if (span.start >= end) break;
        if (span.start > start) missing.push({ start, end: span.start });
        start = Math.max(start, spanEnd);
        if (start >= end) break;
      }
      if (start < end) missing.push({ start, end });
    }
    missing.sort((a, b) => a.start - b.start);
    const merged: { start: number; end: number }[] = [];
    for (const m of missing) {
      const last = merged[merged.length - 1];
      if (last !== undefined && m.start <= last.end) last.end = Math.max(last.end, m.end);
      else if (last !== undefined && m.start - last.end <= this.coalesceGap && !this.holdsAny(last.end, m.start)) last.end = m.end;
      else merged.push({ ...m });
    }
    return merged;
  }

  private holdsAny(start: number, end: number): boolean {
    return this.spans.some((s) => s.start < end && s.start + s.bytes.length > start);
  }

  private async fetch(start: number, end: number): Promise<Uint8Array> {
    const object = await this.store.get(this.key, { range: { offset: start, length: end - start } });
    if (object === null) throw new EvoDBError("NOT_FOUND", `Block ${this.key} is gone; its snapshot was probably expired. Re-run the query on a newer snapshot.`);
    const bytes = new Uint8Array(await object.arrayBuffer());
    if (bytes.length !== end - start) throw new EvoDBError("CORRUPT_BLOCK", `Short range read of ${this.key}: ${bytes.length} of ${end - start} bytes.`);
    return bytes;
  }

  /** [start, end) from the held spans: a view when one span holds it, else a copy of the pieces. */
  private bytesAt(start: number, end: number): Uint8Array {
    const pieces: Span[] = [];
    for (const span of this.spans) {
      const spanEnd = span.start + span.bytes.length;
      if (spanEnd > start && span.start < end) pieces.push(span);
    }
    if (pieces.length === 1 && pieces[0]!.start <= start && pieces[0]!.start + pieces[0]!.bytes.length >= end) {
      const span = pieces[0]!;
      return span.bytes.subarray(start - span.start, end - span.start);
    }
    const out = new Uint8Array(end - start);
    let covered = 0;
    for (const span of pieces) {
      const from = Math.max(start, span.start);
      const to = Math.min(end, span.start + span.bytes.length);
      out.set(span.bytes.subarray(from - span.start, to - span.start), from - start);
      covered += to - from;
    }
    if (covered !== end - start) throw new EvoDBError("CORRUPT_BLOCK", `Bytes [${start}, ${end}) of ${this.key} were not all read.`);
    return out;
  }
}
