import { describe } from "vitest";
import { basicTests } from "./basic";
import { concurrencyTests } from "./concurrency";
import type { StoreFactory, SuiteOptions } from "./helpers";
import { maintenanceTests } from "./maintenance";
import { timeTravelTests } from "./time-travel";

export type { StoreFactory, SuiteOptions } from "./helpers";

/**
 * The lakehouse conformance suite: the same tests on every ObjectStore implementation (memory,
 * filesystem, R2 in workerd), in the style of one suite per contract (CONVENTIONS.md, hono).
 */
export function defineLakehouseSuite(label: string, makeStore: StoreFactory, options: SuiteOptions & { timeTravelSteps: number }): void {
  describe(`lakehouse on ${label}`, () => {
    describe("tables", () => basicTests(label, makeStore));
    describe("time travel", () => timeTravelTests(label, makeStore, options.timeTravelSteps));
    describe("concurrent commits", () => concurrencyTests(label, makeStore, options));
    describe("maintenance", () => maintenanceTests(label, makeStore));
  });
}
