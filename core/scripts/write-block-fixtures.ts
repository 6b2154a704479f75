/**
 * Regenerates the golden `.evodb` fixtures in core/test/fixtures/ (run:
 * `pnpm exec tsx core/scripts/write-block-fixtures.ts`). Only do this together with a new format
 * version: the fixtures pin the bytes of format v1 (docs/format.md, "Stability").
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeBlock } from "../src/index";
import { compressibleBatch, fixedBatch } from "../test/block-batches";

for (const [name, batch] of [
  ["block-v1-fixed.evodb", fixedBatch()],
  ["block-v1-compressed.evodb", compressibleBatch()],
] as const) {
  const target = fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
  writeFileSync(target, writeBlock(batch));
  console.log(`wrote ${target}`);
}
