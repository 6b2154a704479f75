/**
 * Coalesces the byte ranges of probed partitions into at most `maxReads` Range reads: adjacent or
 * near ranges (gap <= `maxGapBytes`) always merge, then the pair with the smallest gap merges until
 * the reads fit the fetches left in the budget (a Snippet allows 5 subrequests in all).
 */

/** One Range read covering one or more partitions. */
export interface CoalescedRead {
  offset: number;
  length: number;
}

/** Merges sorted, non-overlapping `[starts[i], ends[i])` ranges; returns them as Range reads. */
export function coalesceRanges(starts: readonly number[], ends: readonly number[], maxReads: number, maxGapBytes: number): CoalescedRead[] {
  const reads: { start: number; end: number }[] = [];
  for (let i = 0; i < starts.length; i++) {
    const last = reads[reads.length - 1];
    if (last !== undefined && starts[i]! - last.end <= maxGapBytes) last.end = Math.max(last.end, ends[i]!);
    else reads.push({ start: starts[i]!, end: ends[i]! });
  }
  while (reads.length > maxReads && reads.length > 1) {
    let best = 1;
    for (let i = 2; i < reads.length; i++) {
      if (reads[i]!.start - reads[i - 1]!.end < reads[best]!.start - reads[best - 1]!.end) best = i;
    }
    reads[best - 1]!.end = reads[best]!.end;
    reads.splice(best, 1);
  }
  return reads.map((r) => ({ offset: r.start, length: r.end - r.start }));
}
