import type { CliIO } from "./io";

/**
 * The ingest progress line (rows, MB, MB/s) on standard error, rewritten in place with `\r`.
 * Only when `io.progress` says stderr is a terminal (or EVODB_PROGRESS=1 forces it): piped output
 * and logs stay free of carriage returns.
 */
export class IngestProgress {
  private rows = 0;
  private bytes = 0;
  private readonly started = performance.now();

  constructor(private readonly io: CliIO) {}

  /** Counts rows written and input bytes consumed, and redraws the line. */
  advance(rows: number, bytes: number): void {
    this.rows += rows;
    this.bytes += bytes;
    if (this.io.progress) this.io.stderr(`\r${this.line()}`);
  }

  /** Ends the line (on a terminal). */
  finish(): void {
    if (this.io.progress) this.io.stderr(`\r${this.line()}\n`);
  }

  /** Rows counted so far. */
  get rowCount(): number {
    return this.rows;
  }

  private line(): string {
    const seconds = Math.max((performance.now() - this.started) / 1000, 1e-3);
    return `${this.rows.toLocaleString("en-US")} rows, ${(this.bytes / 1e6).toFixed(1)} MB, ${(this.bytes / 1e6 / seconds).toFixed(1)} MB/s`;
  }
}
