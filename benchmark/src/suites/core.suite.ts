/** The core section: shredding, encodings and .evodb blocks against JSON, gzip and Parquet. */
import { registerSuite } from "../harness/registry";
import { measureCoreBaselines } from "./core-baselines";
import { measureCoreEvoDB } from "./core-evodb";

registerSuite({
  id: "core",
  title: "Core: JSON shredding, column encodings and .evodb blocks",
  order: 10,
  description:
    "Documents to columns to block bytes and back, on one core, against what the same documents cost as " +
    "NDJSON (JSON.parse / JSON.stringify, gzip-6 with fflate and node:zlib) and as Parquet-zstd written by " +
    "DuckDB, whose single columns hyparquet decodes. Throughput is per median run over the whole dataset; " +
    "`values/s` counts rows of the column (absent and null slots included) per second. " +
    "Targets come from the project brief and are measured here, never asserted in tests.",
  async run(ctx) {
    const baselines = await measureCoreBaselines(ctx);
    try {
      await measureCoreEvoDB(ctx, baselines);
    } finally {
      baselines.duck.close();
    }
  },
});
