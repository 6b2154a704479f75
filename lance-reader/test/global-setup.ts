import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { FIXTURE_VERSION, makeFixtures } from "../scripts/make-fixtures";

declare module "vitest" {
  export interface ProvidedContext {
    lanceFixtures: string;
  }
}

/** Writes the fixture datasets with the real lancedb writer into a temporary folder (cached by version). */
export default async function setup(project: TestProject): Promise<void> {
  const dir = process.env.EVODB_LANCE_FIXTURES ?? join(tmpdir(), `evodb-lance-fixtures-v${FIXTURE_VERSION}`);
  await makeFixtures(dir);
  project.provide("lanceFixtures", dir);
}
