/**
 * Shredding figures: documents -> columns (`shred`) and columns -> documents (`reassemble`, whole
 * and projected), in memory, without encoding. The round trip is checked once on the whole dataset
 * so a figure never stands for a shredder that loses data.
 */
import { reassemble, shred, type JsonValue, type ShreddedBatch } from "@evodb/core";
import { jsonDifference } from "@evodb/test-utils";
import { stringifyNdjson } from "../baselines/json";
import { parseNdjson } from "../dataset";
import type { SuiteContext } from "../harness/registry";
import { HEAVY } from "./core-baselines";
import { compareTimed } from "./compare";

/** First document that does not survive shred + reassemble, as a readable difference. */
export function firstRoundTripDifference(original: readonly unknown[], restored: readonly unknown[]): string | undefined {
  if (original.length !== restored.length) return `${restored.length} documents back, ${original.length} in`;
  for (let i = 0; i < original.length; i++) {
    const difference = jsonDifference(original[i], restored[i]);
    if (difference !== undefined) return `document ${i}: ${difference}`;
  }
  return undefined;
}

/** Measures shred and reassemble; returns one batch of the whole dataset for later figures. */
export async function measureShredding(ctx: SuiteContext): Promise<ShreddedBatch> {
  const docs = ctx.dataset.docs as JsonValue[];
  const ndjson = ctx.dataset.ndjson;
  const n = docs.length;
  ctx.log("shred / reassemble");
  const batch = shred(docs);
  const difference = firstRoundTripDifference(docs, reassemble(batch));
  if (difference !== undefined) {
    ctx.note(`**Round trip failed** (shred then reassemble): ${difference}. The shredding figures below are not trustworthy until it is fixed.`);
  }
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB shred (documents -> columns)", unit: "docs/s", better: "higher",
    count: n, operation: () => shred(docs), baselineName: "JSON.stringify to NDJSON", baselineOperation: () => stringifyNdjson(docs),
    options: HEAVY,
    note: `One batch of all ${n.toLocaleString("en-US")} documents into ${batch.columns.length} columns (one per path; arrays are variant rows). ` +
      "Compared with JSON.stringify, the other way to turn the same parsed documents into something storable.",
  });
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB reassemble (columns -> documents)", unit: "docs/s", better: "higher",
    count: n, operation: () => reassemble(batch), baselineName: "JSON.parse of the NDJSON", baselineOperation: () => parseNdjson(ndjson),
    options: HEAVY, note: "Whole documents from the in-memory columns; compared with JSON.parse, the other way to get the same documents back.",
  });
  const projection = [["type"], ["user", "id"], ["received_at"]];
  await compareTimed(ctx, {
    group: "Write and read paths", name: "EvoDB reassemble 3 projected paths", unit: "docs/s", better: "higher",
    count: n, operation: () => reassemble(batch, { paths: projection }), baselineName: "JSON.parse of the NDJSON",
    baselineOperation: () => parseNdjson(ndjson), options: HEAVY,
    note: "Rows of {type, user.id, received_at} only; JSON has to parse whole documents to get them.",
  });
  return batch;
}
