/**
 * The one dataset every suite measures: seeded realistic event documents (see
 * `@evodb/test-utils` events.ts), as NDJSON text and bytes and as parsed documents. The documents
 * handed to EvoDB are the result of `JSON.parse` of that text, as on a real ingest path, not the
 * generator's own objects.
 */
import { generateEvents } from "@evodb/test-utils";

/** Generated once per run and shared read-only by all suites. */
export interface Dataset {
  readonly seed: number;
  readonly count: number;
  /** Newline-delimited JSON, one document per line, no trailing newline. */
  readonly ndjson: string;
  /** UTF-8 bytes of {@link ndjson}: the "raw JSON" size. */
  readonly ndjsonBytes: Uint8Array;
  /** `JSON.parse` of each line. Never mutate. */
  readonly docs: readonly unknown[];
}

/** Generates the dataset (about 1-3 s for 100,000 documents). */
export function buildDataset(count: number, seed: number): Dataset {
  const generated = generateEvents({ count, seed });
  const lines = generated.map((doc) => JSON.stringify(doc));
  const ndjson = lines.join("\n");
  const docs = lines.map((line) => JSON.parse(line) as unknown);
  return { seed, count, ndjson, ndjsonBytes: new TextEncoder().encode(ndjson), docs };
}

/** Parses NDJSON into documents: the JSON.parse baseline's measured operation. */
export function parseNdjson(ndjson: string): unknown[] {
  const docs: unknown[] = [];
  let start = 0;
  while (start < ndjson.length) {
    let end = ndjson.indexOf("\n", start);
    if (end < 0) end = ndjson.length;
    docs.push(JSON.parse(ndjson.slice(start, end)));
    start = end + 1;
  }
  return docs;
}
