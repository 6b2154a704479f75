import { evodbErrorCode } from "@evodb/test-utils";
import { describe, expect, it } from "vitest";
import { planCommit, validateCommitRequest, type CommitPlan, type CommitRequest, type NewDataFile, type Snapshot, type TableMetadata } from "../src/index";

const codeOf = evodbErrorCode;

function file(name: string, rowCount = 10, byteSize = 100): NewDataFile {
  return { path: `data/${name}.evodb`, rowCount, byteSize, partition: {}, columnStats: {} };
}

const emptyMeta: TableMetadata = {
  formatVersion: 1,
  tableId: "t",
  name: "t",
  version: 1,
  createdAtMs: 0,
  keyPath: ["id"],
  partitionSpec: { fields: [] },
  schemas: [{ schemaId: 0, path: "schemas/s0.json" }],
  currentSchemaId: 0,
  currentSnapshotId: null,
  snapshots: [],
  lastSnapshotId: 0,
  properties: {},
};

/** Applies requests one after another, as successive commits would. */
function chain(requests: CommitRequest[], clock = 1000): { meta: TableMetadata; snapshot: Snapshot | null } {
  let meta = emptyMeta;
  let snapshot: Snapshot | null = null;
  for (const request of requests) {
    const plan = applied(planCommit(meta, snapshot, request, clock, (id) => `snapshots/${id}.json`));
    meta = plan.metadata;
    snapshot = plan.snapshot;
  }
  return { meta, snapshot };
}

function applied(plan: CommitPlan): Extract<CommitPlan, { kind: "apply" }> {
  if (plan.kind !== "apply") throw new Error(`expected a snapshot, got duplicate: ${plan.reason}`);
  return plan;
}

function plan(base: { meta: TableMetadata; snapshot: Snapshot | null }, request: CommitRequest, now = 5000): CommitPlan {
  return planCommit(base.meta, base.snapshot, request, now, (id) => `snapshots/${id}.json`);
}

describe("request validation", () => {
  it.each<[string, CommitRequest, string]>([
    ["an empty append", { operation: "append", addDataFiles: [] }, "INVALID_ARGUMENT"],
    ["an append that removes", { operation: "append", addDataFiles: [file("a")], removeDataFiles: ["data/b.evodb"] }, "INVALID_ARGUMENT"],
    ["a delete that adds data", { operation: "delete", addDataFiles: [file("a")] }, "INVALID_ARGUMENT"],
    ["an empty compaction", { operation: "compaction" }, "INVALID_ARGUMENT"],
    ["an unknown operation", { operation: "truncate" as "append", addDataFiles: [file("a")] }, "INVALID_ARGUMENT"],
    ["a path twice", { operation: "append", addDataFiles: [file("a"), file("a")] }, "INVALID_ARGUMENT"],
    ["a path that escapes", { operation: "append", addDataFiles: [{ ...file("a"), path: "data/../metadata/current.json" }] }, "INVALID_NAME"],
    ["a data file under deletes/", { operation: "append", addDataFiles: [{ ...file("a"), path: "deletes/a" }] }, "INVALID_NAME"],
    ["a negative row count", { operation: "append", addDataFiles: [file("a", -1)] }, "INVALID_ARGUMENT"],
    ["an inverted LSN range", { operation: "append", addDataFiles: [file("a")], lsnRange: { min: 5, max: 4 } }, "INVALID_ARGUMENT"],
    ["a position delete aimed outside data/", { operation: "delete", addDeleteFiles: [{ kind: "position", path: "deletes/x.dv", dataFile: "../x", rowCount: 1, byteSize: 20 }] }, "INVALID_NAME"],
  ])("refuses %s", (_name, request, code) => {
    expect(codeOf(() => validateCommitRequest(request, []))).toBe(code);
  });

  it("checks partition values against the spec", () => {
    expect(codeOf(() => validateCommitRequest({ operation: "append", addDataFiles: [file("a")] }, ["day"]))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => validateCommitRequest({ operation: "append", addDataFiles: [{ ...file("a"), partition: { day: "2026-01-01" } }] }, ["day"]))).toBe("OK");
  });
});

describe("planning and rebasing", () => {
  it("builds a linear history with summaries that add up", () => {
    const { meta, snapshot } = chain([
      { operation: "append", addDataFiles: [file("a", 3, 30), file("b", 4, 40)] },
      { operation: "append", addDataFiles: [file("c", 5, 50)] },
      { operation: "compaction", removeDataFiles: ["data/a.evodb", "data/b.evodb"], addDataFiles: [file("ab", 7, 60)] },
    ]);
    expect(meta.snapshots.map((s) => [s.snapshotId, s.parentId])).toEqual([[1, null], [2, 1], [3, 2]]);
    expect(meta.version).toBe(4);
    expect(snapshot!.dataFiles.map((f) => [f.path, f.addedSnapshotId])).toEqual([["data/c.evodb", 2], ["data/ab.evodb", 3]]);
    expect(snapshot!.summary).toEqual({
      addedFiles: 1, removedFiles: 2, addedDeleteFiles: 0, removedDeleteFiles: 0, addedRows: 7, removedRows: 7,
      addedBytes: 60, removedBytes: 70, totalFiles: 2, totalRows: 12, totalBytes: 110, totalDeleteFiles: 0,
    });
  });

  it("rebases two appends onto each other", () => {
    const base = chain([{ operation: "append", addDataFiles: [file("a")] }]);
    const winner = applied(plan(base, { operation: "append", addDataFiles: [file("b")] }));
    const loser = applied(plan({ meta: winner.metadata, snapshot: winner.snapshot }, { operation: "append", addDataFiles: [file("c")] }));
    expect(loser.snapshot.dataFiles.map((f) => f.path)).toEqual(["data/a.evodb", "data/b.evodb", "data/c.evodb"]);
    expect(loser.snapshot.parentId).toBe(winner.snapshot.snapshotId);
  });

  it("conflicts when a file to replace was already replaced", () => {
    const base = chain([{ operation: "append", addDataFiles: [file("a"), file("b")] }, { operation: "compaction", removeDataFiles: ["data/a.evodb"], addDataFiles: [file("a2")] }]);
    expect(codeOf(() => plan(base, { operation: "compaction", removeDataFiles: ["data/a.evodb", "data/b.evodb"], addDataFiles: [file("ab")] }))).toBe("COMMIT_CONFLICT");
  });

  it("conflicts when a delete vector targets a compacted file", () => {
    const base = chain([{ operation: "append", addDataFiles: [file("a")] }, { operation: "compaction", removeDataFiles: ["data/a.evodb"], addDataFiles: [file("a2")] }]);
    const request: CommitRequest = { operation: "delete", addDeleteFiles: [{ kind: "position", path: "deletes/d.dv", dataFile: "data/a.evodb", rowCount: 1, byteSize: 20 }] };
    expect(codeOf(() => plan(base, request))).toBe("COMMIT_CONFLICT");
  });

  it("conflicts when a compaction would orphan a delete vector it did not apply", () => {
    const base = chain([
      { operation: "append", addDataFiles: [file("a")] },
      { operation: "delete", addDeleteFiles: [{ kind: "position", path: "deletes/d.dv", dataFile: "data/a.evodb", rowCount: 1, byteSize: 20 }] },
    ]);
    expect(codeOf(() => plan(base, { operation: "compaction", removeDataFiles: ["data/a.evodb"], addDataFiles: [file("a2")] }))).toBe("COMMIT_CONFLICT");
    const ok = applied(plan(base, { operation: "compaction", removeDataFiles: ["data/a.evodb"], removeDeleteFiles: ["deletes/d.dv"], addDataFiles: [file("a2", 9)] }));
    expect(ok.snapshot.deleteFiles).toEqual([]);
  });

  it("does not conflict between a compaction and an equality delete", () => {
    const base = chain([
      { operation: "append", addDataFiles: [file("a"), file("b")] },
      { operation: "delete", addDeleteFiles: [{ kind: "equality", path: "deletes/e.eqd", rowCount: 1, byteSize: 20 }] },
    ]);
    const compacted = applied(plan(base, { operation: "compaction", removeDataFiles: ["data/a.evodb", "data/b.evodb"], addDataFiles: [file("ab", 20)] }));
    expect(compacted.snapshot.deleteFiles.map((f) => f.path)).toEqual(["deletes/e.eqd"]);
  });

  it("recognises a commit that already landed as a duplicate, and a partial overlap as a conflict", () => {
    const base = chain([{ operation: "append", addDataFiles: [file("a"), file("b")] }]);
    expect(plan(base, { operation: "append", addDataFiles: [file("a"), file("b")] }).kind).toBe("duplicate");
    expect(codeOf(() => plan(base, { operation: "append", addDataFiles: [file("a"), file("c")] }))).toBe("COMMIT_CONFLICT");
  });

  it("uses the LSN range for idempotent flushes", () => {
    const base = chain([{ operation: "append", addDataFiles: [file("a")], lsnRange: { min: 1, max: 10 } }]);
    expect(base.snapshot!.lastLsn).toBe(10);
    expect(plan(base, { operation: "append", addDataFiles: [file("retry")], lsnRange: { min: 1, max: 10 } }).kind).toBe("duplicate");
    expect(codeOf(() => plan(base, { operation: "append", addDataFiles: [file("x")], lsnRange: { min: 5, max: 20 } }))).toBe("COMMIT_CONFLICT");
    const next = applied(plan(base, { operation: "append", addDataFiles: [file("y")], lsnRange: { min: 11, max: 20 } }));
    expect(next.snapshot.lastLsn).toBe(20);
    const plain = applied(plan({ meta: next.metadata, snapshot: next.snapshot }, { operation: "append", addDataFiles: [file("z")] }));
    expect(plain.snapshot.lastLsn).toBe(20);
  });

  it("never lets timestamps go backwards", () => {
    const base = chain([{ operation: "append", addDataFiles: [file("a")] }], 9000);
    const early = applied(plan(base, { operation: "append", addDataFiles: [file("b")] }, 100));
    expect(early.snapshot.timestampMs).toBe(9000);
  });

  it("does not modify its inputs", () => {
    const base = chain([{ operation: "append", addDataFiles: [file("a")] }]);
    const before = JSON.stringify(base);
    plan(base, { operation: "compaction", removeDataFiles: ["data/a.evodb"], addDataFiles: [file("b")] });
    expect(JSON.stringify(base)).toBe(before);
  });
});
