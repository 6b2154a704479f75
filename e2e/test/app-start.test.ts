import { postDocs, waitCommitted } from "@evodb/example-lakehouse/dev";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../src/app";

describe("reference app under wrangler dev", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("commits a written document to the lakehouse and keeps it across a restart", async () => {
    const lsn = await postDocs(app.url, "e2e-start", "events", { id: "a", n: 1 });
    await waitCommitted(app.url, "e2e-start", "events", lsn);
    await app.restart();
    const response = await fetch(`${app.url}/tenants/e2e-start/tables/events/docs/a`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ n: 1 });
  });
});
