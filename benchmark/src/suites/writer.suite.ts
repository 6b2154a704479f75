/** The writer section (issue 3): flush, commit, live-row reads under churn, compaction. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonValue } from "@evodb/core";
import { registerSuite } from "../harness/registry";
import { measureCommitLatency, measureCompaction, measureFlushThroughput, measureLiveRows } from "./writer-measure";

/** Documents of the dataset the section uses: enough for two full flushes, short enough for the run. */
const WRITER_DOCS = 20_000;

registerSuite({
  id: "writer",
  title: "Writer: flush, commit, live rows and compaction",
  order: 20,
  description:
    "@evodb/writer on top of @evodb/lakehouse tables, using the first 20,000 event documents of the dataset " +
    "(fewer if the run has fewer), keyed by position. Flush and compaction write to FsObjectStore " +
    "(@evodb/core/node) in a temporary directory, so they include real file writes; runs that need a " +
    "fresh table build it untimed. Commit latency times sequential one-file appends.",
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), "evodb-writer-bench-"));
    const env = { dir, docs: ctx.dataset.docs.slice(0, WRITER_DOCS) as JsonValue[] };
    try {
      await measureFlushThroughput(ctx, env);
      await measureCommitLatency(ctx, env);
      await measureLiveRows(ctx, env);
      await measureCompaction(ctx, env);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
