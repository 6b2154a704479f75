import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { EvoDBError, parseJson } from "@evodb/core";
import { openDataset, toRows, VectorSearcher, type LanceDataset, type LanceField, type RowBatch } from "@evodb/lance-reader";
import { formatRows, type RowFormat } from "../format";
import { DirectoryObjectStore } from "@evodb/core/node";
import type { CliIO } from "../io";

/** Opens a Lance dataset folder (e.g. `./db/items.lance`) as lancedb wrote it, read-only. */
async function openLocalDataset(io: CliIO, dir: string, version?: number): Promise<LanceDataset> {
  const absolute = resolve(io.cwd, dir);
  return openDataset(new DirectoryObjectStore(dirname(absolute)), basename(absolute), version === undefined ? {} : { version });
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
  const dataset = await openLocalDataset(io, dir);
  const info = { version: dataset.version, versions: await dataset.versions(), rows: await dataset.countRows(), fields: dataset.schema.fields.map(describeField) };
  if (format === "json") io.stdout(`${JSON.stringify([info])}\n`);
  else io.stdout(`version ${info.version} (stored: ${info.versions.join(", ")})\n${info.rows} rows\n${info.fields.map((f) => `  ${f}`).join("\n")}\n`);
}

/** `evodb lance scan DIR`. */
export async function lanceScan(io: CliIO, dir: string, options: { version?: number; select?: string[]; limit?: number; format: RowFormat }): Promise<void> {
  const dataset = await openLocalDataset(io, dir, options.version);
  const batch = await dataset.scan({ ...(options.select ? { columns: options.select } : {}), ...(options.limit !== undefined ? { limit: options.limit } : {}) });
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
  const dataset = await openLocalDataset(io, dir);
  const query = await readVector(io, options.vector);
  const hits = await new VectorSearcher(dataset).search({
    column: options.column,
    query,
    k: options.k,
    ...(options.nprobes !== undefined ? { nprobes: options.nprobes } : {}),
    ...(options.refine !== undefined ? { refineFactor: options.refine } : {}),
  });
  const rows = plainRows(await dataset.take(hits.rowIds, options.select ? { columns: options.select } : {}));
  rows.forEach((row, i) => (row._distance = hits.distances[i]));
  io.stdout(formatRows(rows, options.format));
}
