/**
 * The plain-JSON baselines: what a system without EvoDB would do with the same documents (keep
 * NDJSON text, gzip it at level 6 with fflate or node:zlib, and parse it back).
 */
import zlib from "node:zlib";
import { gunzipSync as fflateGunzip, gzipSync as fflateGzip } from "fflate";
import { parseNdjson } from "../dataset";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `JSON.stringify` of each document, joined with newlines. */
export function stringifyNdjson(docs: readonly unknown[]): string {
  const lines: string[] = new Array(docs.length);
  for (let i = 0; i < docs.length; i++) lines[i] = JSON.stringify(docs[i]);
  return lines.join("\n");
}

/** A gzip implementation under test. */
export interface Gzip {
  readonly name: string;
  gzip(bytes: Uint8Array): Uint8Array;
  gunzip(bytes: Uint8Array): Uint8Array;
}

/** fflate (pure JS, what a Worker would bundle) and node:zlib (native), both at level 6. */
export const GZIPS: readonly Gzip[] = [
  { name: "fflate", gzip: (b) => fflateGzip(b, { level: 6 }), gunzip: (b) => fflateGunzip(b) },
  { name: "node:zlib", gzip: (b) => zlib.gzipSync(b, { level: 6 }), gunzip: (b) => zlib.gunzipSync(b) },
];

/** Documents to gzip-6 NDJSON bytes: the write path of the JSON baseline. */
export function stringifyAndGzip(docs: readonly unknown[], gz: Gzip): Uint8Array {
  return gz.gzip(encoder.encode(stringifyNdjson(docs)));
}

/** Gzip-6 NDJSON bytes back to documents: the read path of the JSON baseline. */
export function gunzipAndParse(bytes: Uint8Array, gz: Gzip): unknown[] {
  return parseNdjson(decoder.decode(gz.gunzip(bytes)));
}
