import { env } from "cloudflare:workers";
import { describeObjectStoreConformance } from "@evodb/test-utils";
import { describe, expect, expectTypeOf, it } from "vitest";
import { MemoryObjectStore, type ObjectStore } from "../../src/index";

// The reference implementation: a real R2 binding inside workerd. R2 throws its own errors
// (e.g. "get: The requested range is not satisfiable (10039)"), so only EvoDB stores are held to
// EvoDBError codes.
describeObjectStoreConformance("R2 binding (workerd)", () => env.BUCKET, { evodbErrors: false });

// The main entry must load and behave the same inside workerd (no Node APIs, no nodejs_compat).
describeObjectStoreConformance("MemoryObjectStore (workerd)", () => new MemoryObjectStore());

describe("R2Bucket as ObjectStore", () => {
  it("is assignable without a wrapper", async () => {
    expectTypeOf(env.BUCKET).toExtend<ObjectStore>();
    const store: ObjectStore = env.BUCKET;
    const put = await store.put("type-test/key", "value");
    expect(put?.etag).toBe((await store.head("type-test/key"))?.etag);
  });
});
