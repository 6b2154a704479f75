import { defineConfig } from "vitest/config";

// Tests of the benchmark harness and the event generator only: benchmark figures are never asserted.
export default defineConfig({ test: { name: "benchmark", environment: "node" } });
