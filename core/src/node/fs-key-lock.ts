/**
 * Per-key mutual exclusion for the filesystem store, within one process and across processes.
 *
 * In-process, callers for the same key queue on a promise chain, so they never spin. Across
 * processes, the holder owns a lock file created with O_CREAT|O_EXCL (`open(path, "wx")`), which
 * the kernel creates atomically for exactly one caller on a local filesystem; the others retry with
 * a short growing back-off. Guarantee: exclusive on one local (non-NFS) filesystem, provided no
 * holder keeps the lock longer than `staleLockMs`. A lock file older than that is taken to be left
 * by a crashed process and removed; holders only do one small write and a rename, far below it.
 */
import { mkdir, open, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/** Default age after which a lock file is considered abandoned by a crashed process. */
export const DEFAULT_STALE_LOCK_MS = 30_000;

/** Acquires and releases per-key locks rooted at one lock directory. */
export class KeyLocks {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly staleLockMs: number = DEFAULT_STALE_LOCK_MS) {}

  /** Runs `action` while holding the lock at `lockPath` (in-process queue + lock file). */
  async withLock<T>(lockPath: string, action: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(lockPath) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.queues.set(lockPath, tail);
    await previous;
    try {
      await this.acquireFile(lockPath);
      try {
        return await action();
      } finally {
        await unlink(lockPath).catch(ignoreMissing);
      }
    } finally {
      release();
      if (this.queues.get(lockPath) === tail) this.queues.delete(lockPath);
    }
  }

  private async acquireFile(lockPath: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(lockPath, "wx");
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return;
      } catch (error) {
        if (isCode(error, "ENOENT")) {
          await mkdir(dirname(lockPath), { recursive: true });
          continue;
        }
        if (!isCode(error, "EEXIST")) throw error;
      }
      await this.removeIfStale(lockPath);
      // Jitter keeps several processes from retrying in lockstep; the cap keeps latency low.
      const delay = Math.min(20, 1 + attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async removeIfStale(lockPath: string): Promise<void> {
    try {
      const info = await stat(lockPath);
      if (Date.now() - info.mtimeMs > this.staleLockMs) await unlink(lockPath);
    } catch (error) {
      // The holder released it between our open and stat (or another waiter removed it): retry.
      ignoreMissing(error);
    }
  }
}

/** True when `error` is a Node system error with this `code`. */
export function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/** Swallows ENOENT (the file is already gone, which is the goal) and rethrows anything else. */
export function ignoreMissing(error: unknown): void {
  if (!isCode(error, "ENOENT")) throw error;
}
