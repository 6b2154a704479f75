/**
 * The smallest end-to-end tour of @evodb/core: read an NDJSON file, shred it into typed columns,
 * encode them into one `.evodb` block on a filesystem ObjectStore, then read back only the footer
 * and one column with range reads, and reassemble a document.
 *
 *   pnpm example                      # uses examples/sample-events.ndjson
 *   pnpm example path/to/file.ndjson  # any NDJSON file
 */
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { openBlock, parseNdjson, pathToName, reassemble, shred, stringifyJson, writeBlock } from "@evodb/core";
import { FsObjectStore } from "@evodb/core/node";

const file = process.argv[2] ?? new URL("./sample-events.ndjson", import.meta.url).pathname;
const text = readFileSync(file, "utf8");
const docs = parseNdjson(text);

const batch = shred(docs);
const block = writeBlock(batch);

const dir = mkdtempSync(join(tmpdir(), "evodb-example-"));
try {
  const store = new FsObjectStore(dir);
  await store.put("events/0001.evodb", block);

  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`${docs.length} documents from ${file}`);
  console.log(`shredded into ${batch.columns.length} columns`);
  console.log(`raw JSON   ${kb(Buffer.byteLength(text))}`);
  console.log(`gzip-6     ${kb(gzipSync(text, { level: 6 }).length)}`);
  console.log(`.evodb     ${kb(block.length)}`);

  // A reader fetches the footer with one suffix read, then only the chunks it needs.
  const opened = await openBlock(store, "events/0001.evodb");
  const wanted = [["type"], ["latency_ms"]];
  const columns = await opened.readColumns(wanted);
  console.log(`\nread ${wanted.map(pathToName).join(", ")} with range reads:`);
  for (const column of columns.columns) {
    if (column.type === "none") continue;
    const preview = Array.from(column.values.slice(0, 8), (v) => (typeof v === "string" ? v : Number(v)));
    console.log(`  ${pathToName(column.path).padEnd(12)} ${column.type.padEnd(7)} ${preview.join(", ")} ...`);
  }

  const [first] = reassemble(batch);
  console.log(`\nfirst document, reassembled from columns:\n${stringifyJson(first ?? null)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
