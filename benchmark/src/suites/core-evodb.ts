/**
 * EvoDB figures of the core section, each timed side by side with its baseline in the same run.
 */
import { parseNdjson as evoParseNdjson, stringifyJson, type JsonValue } from "@evodb/core";
import { stringifyNdjson } from "../baselines/json";
import { parseNdjson } from "../dataset";
import type { SuiteContext } from "../harness/registry";
import { HEAVY, type CoreBaselines } from "./core-baselines";
import { compareTimed } from "./compare";
import { measureBlocks } from "./core-block";
import { measureShredding } from "./core-shred";

/** Lossless NDJSON parse and stringify (core/src/json.ts) against the native JSON baselines. */
async function measureLosslessJson(ctx: SuiteContext): Promise<void> {
  const { dataset } = ctx;
  ctx.log("EvoDB parseNdjson / stringifyJson");
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB parseNdjson (lossless, big-int safe)", unit: "docs/s", better: "higher",
    count: dataset.count, operation: () => evoParseNdjson(dataset.ndjson),
    baselineName: "JSON.parse of the NDJSON", baselineOperation: () => parseNdjson(dataset.ndjson), options: HEAVY,
  });
  const docs = dataset.docs as JsonValue[];
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB stringifyJson to NDJSON (lossless)", unit: "docs/s", better: "higher",
    count: dataset.count,
    operation: () => {
      const lines: string[] = new Array(docs.length);
      for (let i = 0; i < docs.length; i++) lines[i] = stringifyJson(docs[i]!);
      return lines.join("\n");
    },
    baselineName: "JSON.stringify to NDJSON", baselineOperation: () => stringifyNdjson(docs), options: HEAVY,
  });
}

/** Runs every EvoDB figure of the core section. */
export async function measureCoreEvoDB(ctx: SuiteContext, baselines: CoreBaselines): Promise<void> {
  await measureLosslessJson(ctx);
  await measureShredding(ctx);
  await measureBlocks(ctx, baselines);
}
