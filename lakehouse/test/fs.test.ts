import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FsObjectStore } from "@evodb/core/node";
import { afterAll } from "vitest";
import { defineLakehouseSuite } from "./suite/index";

const dir = mkdtempSync(join(tmpdir(), "evodb-lakehouse-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One store over one directory for the whole file: every test uses its own root prefix.
defineLakehouseSuite("fs", () => new FsObjectStore(dir), { committers: 8, commitsPerCommitter: 50, timeTravelSteps: 150 });
