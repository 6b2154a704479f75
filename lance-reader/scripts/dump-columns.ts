/** Prints the first rows of every column of a Lance file (debugging aid). Run: `tsx dump-columns.ts <file> [rows]`. */
import { dirname, basename } from "node:path";
import { DirectoryObjectStore } from "@evodb/core/node";
import { RangeReader } from "../src/io";
import { openLanceFile } from "../src/file";
import { LanceFileReader } from "../src/file-reader";
import { valueAt } from "../src/column";

const path = process.argv[2];
if (!path) throw new Error("usage: tsx dump-columns.ts <file> [rows]");
const rows = Number(process.argv[3] ?? 5);
const store = new DirectoryObjectStore(dirname(path));
const reader = new LanceFileReader(await openLanceFile(await RangeReader.open(store, basename(path))));
for (const [i, field] of reader.meta.schema.fields.entries()) {
  try {
    const col = await reader.readRange(i, field.type, 0, Math.min(rows, reader.numRows));
    console.log(field.name, Array.from({ length: col.length }, (_, r) => valueAt(col, r)));
  } catch (e) {
    console.log(field.name, "ERROR", (e as Error).message);
  }
}
