import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeObjectStoreConformance } from "@evodb/test-utils";
import { afterAll } from "vitest";
import { MemoryObjectStore } from "../src/index";
import { FsObjectStore } from "../src/node/index";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describeObjectStoreConformance("MemoryObjectStore", () => new MemoryObjectStore());

describeObjectStoreConformance("FsObjectStore", () => {
  const root = mkdtempSync(join(tmpdir(), "evodb-fs-store-"));
  roots.push(root);
  return new FsObjectStore(root);
});
