/**
 * Dumps the footer, schema and page encodings of a Lance file (debugging aid for the decoders).
 * Run: `tsx lance-reader/scripts/inspect.ts <file.lance>`.
 */
import { dirname, basename } from "node:path";
import { DirectoryObjectStore } from "@evodb/core/node";
import { RangeReader } from "../src/io";
import { openLanceFile } from "../src/file";
import { describeEncoding } from "./describe";

const path = process.argv[2];
if (!path) throw new Error("usage: tsx inspect.ts <file>");
const store = new DirectoryObjectStore(dirname(path));
const file = await openLanceFile(await RangeReader.open(store, basename(path)));
console.log(`version ${file.major}.${file.minor}, rows ${file.numRows}, global buffers ${file.globalBuffers.length}`);
console.log("schema", JSON.stringify(file.schema.fields.map((f) => [f.id, f.name, f.logicalType, f.nullable, f.children.map((c) => c.logicalType)])));
console.log("schema metadata", [...file.schema.metadata].map(([k, v]) => `${k}=${v.slice(0, 300)}`));
file.columns.forEach((c, i) => {
  console.log(`column ${i}: ${c.pages.length} pages, column enc ${c.encoding?.typeUrl}`);
  for (const p of c.pages.slice(0, 3)) console.log(`  page rows ${p.length} first ${p.firstRow} buffers ${JSON.stringify(p.buffers.map((b) => b.size))}\n    ${p.encoding ? describeEncoding(p.encoding) : "none"}`);
});
