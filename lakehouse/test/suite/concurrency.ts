import { EvoDBError } from "@evodb/core";
import { expect, it } from "vitest";
import { createTable, openTable } from "../../src/index";
import { fakeFile, listKeys, uniqueRoot, type StoreFactory, type SuiteOptions } from "./helpers";

/** Many independent handles committing to one table at once. */
export function concurrencyTests(label: string, makeStore: StoreFactory, options: SuiteOptions): void {
  const { committers, commitsPerCommitter } = options;
  const total = committers * commitsPerCommitter;

  it(`${committers} committers x ${commitsPerCommitter} appends: every commit exactly once, linear history`, async () => {
    const store = await makeStore();
    const root = uniqueRoot(label);
    await createTable(store, { root, name: "busy" });
    // Separate handles (as separate Workers would have): no shared cache, no shared lock.
    const handles = await Promise.all(Array.from({ length: committers }, () => openTable(store, { root, name: "busy" }, { retry: { maxAttempts: 1000, maxDelayMs: 50 } })));
    let lostRaces = 0;
    await Promise.all(
      handles.map(async (table, c) => {
        for (let i = 0; i < commitsPerCommitter; i++) {
          const result = await table.append([fakeFile(`data/c${c}-${i}.evodb`, c + 1)]);
          expect(result.duplicate).toBe(false);
          lostRaces += result.attempts - 1;
        }
      }),
    );
    const history = await handles[0]!.history();
    expect(history).toHaveLength(total);
    history.forEach((ref, i) => {
      expect(ref.snapshotId).toBe(i + 1);
      expect(ref.parentId).toBe(i === 0 ? null : i);
      expect(ref.summary.addedFiles).toBe(1);
      expect(ref.summary.totalFiles).toBe(i + 1);
      if (i > 0) expect(ref.timestampMs).toBeGreaterThanOrEqual(history[i - 1]!.timestampMs);
    });
    const latest = (await handles[0]!.snapshot())!;
    const paths = latest.dataFiles.map((f) => f.path);
    expect(new Set(paths).size).toBe(total);
    const want = Array.from({ length: committers }, (_, c) => Array.from({ length: commitsPerCommitter }, (_, i) => `data/c${c}-${i}.evodb`)).flat();
    expect([...paths].sort()).toEqual(want.sort());
    // Each file was added by exactly one snapshot, and every snapshot added exactly one file.
    expect(new Set(latest.dataFiles.map((f) => f.addedSnapshotId)).size).toBe(total);
    expect(latest.summary.totalRows).toBe(commitsPerCommitter * ((committers * (committers + 1)) / 2));
    // Lost races delete their snapshot files: only the committed ones remain.
    expect(await listKeys(store, `${root}/busy/snapshots/`)).toHaveLength(total);
    expect(lostRaces).toBeGreaterThan(0);
  }, 300_000);

  it("lets exactly one of several racing compactions of the same files win, while appends go on", async () => {
    const store = await makeStore();
    const root = uniqueRoot(label);
    const table = await createTable(store, { root, name: "compact" });
    await table.append(["a", "b", "c", "d"].map((n) => fakeFile(`data/${n}`, 5)));
    const compactors = await Promise.all([0, 1, 2, 3].map(() => openTable(store, { root, name: "compact" }, { retry: { maxDelayMs: 20 } })));
    const appender = await openTable(store, { root, name: "compact" }, { retry: { maxDelayMs: 20 } });
    const outcomes = await Promise.all([
      ...compactors.map((t, i) =>
        t.replace(["data/a", "data/b", "data/c"], [fakeFile(`data/merged-${i}`, 15)], { compaction: true }).then(
          () => "won",
          (error: unknown) => (error instanceof EvoDBError ? error.code : "other"),
        ),
      ),
      (async () => {
        for (let i = 0; i < 5; i++) await appender.append([fakeFile(`data/new-${i}`)]);
        return "appended";
      })(),
    ]);
    expect(outcomes.filter((o) => o === "won")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "COMMIT_CONFLICT")).toHaveLength(3);
    const latest = (await table.snapshot())!;
    const paths = latest.dataFiles.map((f) => f.path);
    expect(paths.filter((p) => p.startsWith("data/merged-"))).toHaveLength(1);
    expect(paths.filter((p) => p.startsWith("data/new-")).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `data/new-${i}`));
    expect(paths).toContain("data/d");
    expect(latest.summary.totalRows).toBe(15 + 5 + 5);
  });

  it("fails with an actionable COMMIT_CONFLICT when retries run out", async () => {
    const store = await makeStore();
    const root = uniqueRoot(label);
    await createTable(store, { root, name: "t" });
    const handles = await Promise.all([0, 1, 2, 3, 4, 5].map(() => openTable(store, { root, name: "t" }, { retry: { maxAttempts: 1 } })));
    const outcomes = await Promise.allSettled(handles.map((t, i) => t.append([fakeFile(`data/f${i}`)])));
    const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as EvoDBError] : []));
    expect(outcomes.some((o) => o.status === "fulfilled")).toBe(true);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.code).toBe("COMMIT_CONFLICT");
      expect(failure.message).toMatch(/batch more files per commit/);
    }
    expect(await handles[0]!.history()).toHaveLength(outcomes.length - failures.length);
  });
}
