#!/usr/bin/env node
// Published packages ship only dist/ (see "files"), so the bundled CLI runs. Inside the repository
// the workspace packages resolve to their TypeScript sources, so the sources run through tsx.
import { existsSync } from "node:fs";

if (existsSync(new URL("../src/main.ts", import.meta.url))) {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
} else {
  await import("../dist/cli.js");
}
