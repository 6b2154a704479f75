/** Describes the machine a run was measured on, for the report header and results.json. */
import { readFileSync } from "node:fs";
import os from "node:os";

/** Hardware and runtime of a benchmark run. */
export interface MachineInfo {
  cpuModel: string;
  logicalCores: number;
  ramGiB: number;
  node: string;
  v8: string;
  os: string;
  arch: string;
  /** 1-minute load average when the run started and when it ended (other work on the shared cores). */
  loadAverage: { start: number; end: number };
}

function cpuModelFromProc(): string | undefined {
  try {
    const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
    const match = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
    return match?.[1]?.trim();
  } catch {
    // Not Linux (no /proc): fall back to what Node reports.
    return undefined;
  }
}

/** The 1-minute load average now (0 where the OS does not report one). */
export function loadAverageNow(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

/** Collects {@link MachineInfo} for the current process; `loadAtStart` from {@link loadAverageNow}. */
export function describeMachine(loadAtStart: number): MachineInfo {
  return {
    cpuModel: cpuModelFromProc() ?? os.cpus()[0]?.model ?? "unknown",
    logicalCores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
    loadAverage: { start: loadAtStart, end: loadAverageNow() },
  };
}
