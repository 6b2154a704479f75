import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { encodeBatchFrame } from "../../src/batch";
import { decodeFrame } from "../../src/frame";
import { KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE } from "../../src/protocol";
import type { ServerSessionState } from "../../src/server-session";
import { cdcEntries, env, openWriterSession, writerContents } from "./helpers";
import type { TestWriter } from "./worker";

/**
 * workerd evicts a Durable Object that has been idle for about 10 s while only hibernatable
 * WebSockets are open (workerd PR #1138); the vitest pool keeps only its own runner object pinned
 * (`unsafePreventEviction`), so the writer under test is really evicted here. Every call into the
 * object (including `runInDurableObject`) restarts that idle clock, so the test waits in one
 * stretch and only then looks.
 */
const IDLE_MS = 12_000;
/** Idle stretches tried before giving up: bounds the test at about 25 s. */
const MAX_IDLE_ROUNDS = 2;

const writer = (name: string) => env.EVODB_WRITER.get(env.EVODB_WRITER.idFromName(name));
const instanceOf = (name: string) => runInDurableObject(writer(name), (instance: TestWriter) => instance.instanceId);

describe("writer Durable Object: real hibernation", () => {
  it("keeps a session open across an eviction: the rebuilt object acknowledges the next batch cumulatively, without duplicates", async () => {
    const name = "w-evicted";
    const { client } = await openWriterSession(name, "acme", "edge-hib");
    client.ws.send(encodeBatchFrame(cdcEntries(1, 3)));
    expect(decodeFrame(await client.nextFrame())).toEqual({ type: "ack", ackedLsn: 3, creditWindow: 8 });
    // The test config's 60 s flush delay keeps the alarm from waking the object while it idles.
    const before = await instanceOf(name);

    let after = before;
    for (let round = 0; round < MAX_IDLE_ROUNDS && after === before; round++) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      after = await instanceOf(name);
    }
    expect(after).not.toBe(before);

    // The socket outlived the instance that accepted it, and its session came back from the attachment.
    expect(client.ws.readyState).toBe(WebSocket.READY_STATE_OPEN);
    const attachments = await runInDurableObject(writer(name), (_instance: TestWriter, state) => state.getWebSockets().map((ws) => ws.deserializeAttachment() as ServerSessionState));
    expect(attachments).toEqual([{ phase: "open", sourceId: "edge-hib", tenant: "acme", durableLsn: 3, receivedLsn: 3, inFlight: 0, creditWindow: 8 }]);

    client.ws.send(KEEPALIVE_REQUEST);
    expect(await client.next()).toEqual({ kind: "message", data: KEEPALIVE_RESPONSE });
    client.ws.send(encodeBatchFrame(cdcEntries(4, 6)));
    expect(decodeFrame(await client.nextFrame())).toEqual({ type: "ack", ackedLsn: 6, creditWindow: 8 });
    client.close();

    const contents = await writerContents(name);
    expect(contents.entries.map((entry) => entry.lsn)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(contents.sources).toEqual([{ source_id: "edge-hib", acked_lsn: 6 }]);
  }, 60_000);
});
