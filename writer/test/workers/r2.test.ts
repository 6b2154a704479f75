import { env } from "cloudflare:workers";
import { it } from "vitest";
import { runWriterModelTest } from "../model-suite";

// The writer is runtime-agnostic: the same model test on a real R2 binding inside workerd.
it("random inserts, updates, deletes, flushes, compactions and crash-retries match the model on R2 (seeded)", async () => {
  await runWriterModelTest(() => env.BUCKET, 60);
});
