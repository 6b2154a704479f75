import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { EvoDBError, parseJson } from "@evodb/core";
import { openDataset, toRows, VectorSearcher, type LanceDataset, type LanceField, type RowBatch } from "@evodb/lance-reader";
import { ivfHnswSq } from "@evodb/lance-reader/hnsw";
import { formatRows, type RowFormat } from "../format";
import { DirectoryObjectStore } from "@evodb/core/node";
import type { CliIO } from "../io";

/**
 * Opens a Lance dataset folder (e.g. `./db/items.lance`) as lancedb wrote it, read-only, runs `use`
 * on it and closes the store's cached file handles afterwards (otherwise Node closes them at garbage
 * collection, with a warning).
 */
async function withLocalDataset<T>(io: CliIO, dir: string, version: number | undefined, use: (dataset: LanceDataset) => Promise<T>): Promise<T> {
  const absolute = resolve(io.cwd, dir);
  const store = new DirectoryObjectStore(dirname(absolute));
  try {
    return await use(await openDataset(store, basename(absolute), version === undefined ? {} : { version }));
  } finally {
    await store.close();
  }
}

/** Typed arrays (vectors) become plain arrays so every output format can print them. */
function plainRows(batch: RowBatch): Record<string, unknown>[] {
  return toRows(batch).map((row) => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(row)) out[name] = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
    return out;
  });
}

function describeField(field: LanceField): string {
  return `${field.name}: ${field.logicalType}${field.nullable ? "" : " not null"} [id ${field.id}]`;
}

/** `evodb lance info DIR`: schema, row count and versions. */
export async function lanceInfo(io: CliIO, dir: string, format: RowFormat): Promise<void> {
  const info = await withLocalDataset(io, dir, undefined, async (dataset) => ({ version: dataset.version, versions: await dataset.versions(), rows: await dataset.countRows(), fields: dataset.schema.fields.map(describeField) }));
  if (format === "json") io.stdout(`${JSON.stringify([info])}\n`);
  else io.stdout(`version ${info.version} (stored: ${info.versions.join(", ")})\n${info.rows} rows\n${info.fields.map((f) => `  ${f}`).join("\n")}\n`);
}

/** `evodb lance scan DIR`. */
export async function lanceScan(io: CliIO, dir: string, options: { version?: number; select?: string[]; limit?: number; format: RowFormat }): Promise<void> {
  const batch = await withLocalDataset(io, dir, options.version, (dataset) =>
    dataset.scan({ ...(options.select ? { columns: options.select } : {}), ...(options.limit !== undefined ? { limit: options.limit } : {}) }),
  );
  io.stdout(formatRows(plainRows(batch), options.format));
}

async function readVector(io: CliIO, text: string): Promise<number[]> {
  const source = text.startsWith("@") ? await readFile(resolve(io.cwd, text.slice(1)), "utf8") : text;
  const value = parseJson(source);
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== "number")) {
    throw new EvoDBError("INVALID_ARGUMENT", "--vector must be a JSON array of numbers, or @FILE holding one");
  }
  return value as number[];
}

/** `evodb lance search DIR --column C --vector V`: top-k rows with `_distance`. */
export async function lanceSearch(
  io: CliIO,
  dir: string,
  options: { column: string; vector: string; k: number; nprobes?: number; refine?: number; select?: string[]; format: RowFormat },
): Promise<void> {
  const query = await readVector(io, options.vector);
  const rows = await withLocalDataset(io, dir, undefined, async (dataset) => {
    // The CLI runs in Node, where bundle size does not matter: it searches every index type lance-reader knows.
    const hits = await new VectorSearcher(dataset, { indexTypes: [ivfHnswSq] }).search({
      column: options.column,
      query,
      k: options.k,
      ...(options.nprobes !== undefined ? { nprobes: options.nprobes } : {}),
      ...(options.refine !== undefined ? { refineFactor: options.refine } : {}),
    });
    const found = plainRows(await dataset.take(hits.rowIds, options.select ? { columns: options.select } : {}));
    found.forEach((row, i) => (row._distance = hits.distances[i]));
    return found;
  });
  io.stdout(formatRows(rows, options.format));
}
