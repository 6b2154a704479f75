import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { EvoDBError } from "@evodb/core";

/** Where a command reads and writes; tests pass their own to run commands in-process. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The whole of standard input (for `-` file arguments). */
  readStdin(): Promise<string>;
  /** Show progress lines on stderr: on a terminal, or when EVODB_PROGRESS=1 forces them (EVODB_PROGRESS=0 turns them off). */
  readonly progress: boolean;
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
}

/** The real process. */
export function processIO(): CliIO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    progress: process.env["EVODB_PROGRESS"] === "1" || (process.env["EVODB_PROGRESS"] !== "0" && process.stderr.isTTY === true),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Reads a file argument (relative to the working directory), `-` meaning standard input. */
export async function readInput(io: CliIO, file: string): Promise<string> {
  if (file === "-") return io.readStdin();
  try {
    return await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    throw new EvoDBError("NOT_FOUND", `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
