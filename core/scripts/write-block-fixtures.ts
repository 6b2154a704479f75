/**
 * Regenerates the golden `.evodb` fixtures in core/test/fixtures/ (run:
 * `pnpm exec tsx core/scripts/write-block-fixtures.ts`). Only do this together with a new format
 * version: the fixtures pin the bytes of format v2 (docs/format.md, "Stability"). The v1 files stay
 * as they are: they prove that this build refuses version 1 with UNSUPPORTED_VERSION.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeBlock } from "../src/index";
import { compressibleBatch, fixedBatch } from "../test/block-batches";

for (const [name, batch] of [
  ["block-v2-fixed.evodb", fixedBatch()],
  ["block-v2-compressed.evodb", compressibleBatch()],
] as const) {
  const target = fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
  writeFileSync(target, writeBlock(batch));
  console.log(`wrote ${target}`);
}
