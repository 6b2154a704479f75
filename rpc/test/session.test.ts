import { EvoDBError } from "@evodb/core";
import { describe, expect, it } from "vitest";
import { ClientSession } from "../src/client-session";
import { decodeFrame, encodeFrame, type BatchFrame } from "../src/frame";
import { CloseCode, KEEPALIVE_REQUEST, KEEPALIVE_RESPONSE } from "../src/protocol";
import { ServerSession, type ServerAction } from "../src/server-session";

/**
 * The session logic only needs each entry's LSN, so these tests carry LSNs as u32s in the batch
 * payload; the Durable Object uses core's WAL codec (tested in batch.test.ts).
 */
function lsnBatch(lsns: number[]): Uint8Array {
  const walBatch = new Uint8Array(lsns.length * 4);
  lsns.forEach((lsn, i) => new DataView(walBatch.buffer).setUint32(i * 4, lsn, true));
  return encodeFrame({ type: "batch", firstLsn: lsns[0]!, lastLsn: lsns[lsns.length - 1]!, entryCount: lsns.length, walBatch });
}

function decodeLsns(batch: BatchFrame): number[] {
  const view = new DataView(batch.walBatch.buffer, batch.walBatch.byteOffset, batch.walBatch.byteLength);
  if (batch.walBatch.length !== batch.entryCount * 4) throw new EvoDBError("CORRUPT_FRAME", "entry bytes do not match entryCount");
  const lsns = Array.from({ length: batch.entryCount }, (_, i) => view.getUint32(i * 4, true));
  if (lsns[0] !== batch.firstLsn || lsns[lsns.length - 1] !== batch.lastLsn) throw new EvoDBError("CORRUPT_FRAME", "entries do not match the header");
  return lsns;
}

const hello = encodeFrame({ type: "hello", lastAckedLsn: 0, sourceId: "edge-a", tenant: "acme", credentials: "token" });

/** A server session that has accepted a HELLO, with `durable` entries already stored. */
function openServer(durable = 0, window = 8): ServerSession<number> {
  const server = new ServerSession<number>(decodeLsns);
  server.state.creditWindow = window;
  expect(server.receive(hello).kind).toBe("authenticate");
  const welcome = decodeFrame(server.accept(durable));
  expect(welcome).toEqual({ type: "welcome", ackedLsn: durable, creditWindow: window, maxFrameBytes: 4 * 1024 * 1024 });
  return server;
}

function expectClose(action: ServerAction<number>, code: number): void {
  expect(action.kind).toBe("close");
  if (action.kind === "close") {
    expect(action.code).toBe(code);
    const error = decodeFrame(action.reply!);
    expect(error).toMatchObject({ type: "error", code });
  }
}

describe("writer session state machine (spec §5.1, §5.3)", () => {
  it("requires HELLO first", () => {
    expectClose(new ServerSession<number>(decodeLsns).receive(lsnBatch([1])), CloseCode.ProtocolViolation);
    expectClose(new ServerSession<number>(decodeLsns).receive(encodeFrame({ type: "ack", ackedLsn: 0, creditWindow: 1 })), CloseCode.ProtocolViolation);
  });

  it("refuses batches while authenticating and a second HELLO", () => {
    const server = new ServerSession<number>(decodeLsns);
    server.receive(hello);
    expectClose(server.receive(lsnBatch([1])), CloseCode.ProtocolViolation);
    const open = openServer();
    expectClose(open.receive(hello), CloseCode.ProtocolViolation);
  });

  it("hands batches over in LSN order and acks cumulatively", () => {
    const server = openServer();
    const first = server.receive(lsnBatch([1, 2, 3]));
    expect(first).toMatchObject({ kind: "persist", entries: [1, 2, 3] });
    expect(decodeFrame(server.acknowledge(3))).toEqual({ type: "ack", ackedLsn: 3, creditWindow: 8 });
    expect(server.receive(lsnBatch([4, 5]))).toMatchObject({ kind: "persist", entries: [4, 5] });
    expect(decodeFrame(server.acknowledge(5))).toMatchObject({ ackedLsn: 5 });
  });

  it("closes on a gap in the LSNs (a lost batch)", () => {
    const server = openServer(3);
    expectClose(server.receive(lsnBatch([5])), CloseCode.CorruptFrame);
  });

  it("resumes after the HELLO's lastAckedLsn when the writer knows less", () => {
    const server = new ServerSession<number>(decodeLsns);
    server.receive(encodeFrame({ type: "hello", lastAckedLsn: 5, sourceId: "edge-a", tenant: "acme", credentials: "token" }));
    expect(decodeFrame(server.accept(3))).toMatchObject({ type: "welcome", ackedLsn: 5 });
    expect(server.receive(lsnBatch([4, 5])).kind).toBe("reply");
    expect(server.receive(lsnBatch([6])).kind).toBe("persist");
  });

  it("ignores duplicate batches and re-acks the durable LSN", () => {
    const server = openServer(10);
    const dup = server.receive(lsnBatch([9, 10]));
    expect(dup.kind).toBe("reply");
    if (dup.kind === "reply") expect(decodeFrame(dup.reply as Uint8Array)).toEqual({ type: "ack", ackedLsn: 10, creditWindow: 8 });
    server.receive(lsnBatch([11]));
    server.acknowledge(11);
    const again = server.receive(lsnBatch([11]));
    expect(again.kind).toBe("reply");
    expect(server.state.durableLsn).toBe(11);
  });

  it("closes on LSN going backwards into new data", () => {
    const server = openServer(10);
    expectClose(server.receive(lsnBatch([10, 11])), CloseCode.CorruptFrame);
    expect(server.state.phase).toBe("closed");
    expect(server.receive(lsnBatch([12])).kind).toBe("none");
  });

  it("respects the credit window", () => {
    const server = openServer(0, 2);
    expect(server.receive(lsnBatch([1])).kind).toBe("persist");
    expect(server.receive(lsnBatch([2])).kind).toBe("persist");
    expectClose(server.receive(lsnBatch([3])), CloseCode.CorruptFrame);
    const ok = openServer(0, 2);
    ok.receive(lsnBatch([1]));
    ok.receive(lsnBatch([2]));
    ok.acknowledge(1);
    expect(ok.receive(lsnBatch([3])).kind).toBe("persist");
  });

  it("closes with the right code on hostile frames and entry mismatches", () => {
    const server = openServer();
    const wrongVersion = lsnBatch([1]).slice();
    wrongVersion[2] = 9;
    expectClose(server.receive(wrongVersion), CloseCode.UnsupportedVersion);
    const lying = encodeFrame({ type: "batch", firstLsn: 1, lastLsn: 2, entryCount: 2, walBatch: new Uint8Array(4) });
    expectClose(openServer().receive(lying), CloseCode.CorruptFrame);
    expectClose(openServer().receive("hello?"), CloseCode.CorruptFrame);
    expectClose(openServer().receive(new Uint8Array(5 * 1024 * 1024)), CloseCode.CorruptFrame);
  });

  it("answers the keep-alive and PING, and survives a round trip through its attachment", () => {
    const server = openServer(4);
    expect(server.receive(KEEPALIVE_REQUEST)).toEqual({ kind: "reply", reply: KEEPALIVE_RESPONSE });
    const pong = server.receive(encodeFrame({ type: "ping", nonce: 42 }));
    expect(pong.kind === "reply" && decodeFrame(pong.reply as Uint8Array)).toEqual({ type: "pong", nonce: 42 });
    // What a hibernating Durable Object keeps: a structured clone of the state.
    const revived = new ServerSession<number>(decodeLsns, structuredClone(server.state));
    expect(revived.receive(lsnBatch([5])).kind).toBe("persist");
    expect(JSON.stringify(revived.state).length).toBeLessThan(2048);
  });
});

describe("edge session state machine (spec §5.2)", () => {
  function openClient(lastAcked: number, writerAcked: number, window = 2): ClientSession {
    const client = new ClientSession({ type: "hello", lastAckedLsn: lastAcked, sourceId: "edge-a", tenant: "acme", credentials: "t" });
    expect(decodeFrame(client.helloFrame())).toMatchObject({ type: "hello", lastAckedLsn: lastAcked });
    expect(client.canSend()).toBe(false);
    const action = client.receive(encodeFrame({ type: "welcome", ackedLsn: writerAcked, creditWindow: window, maxFrameBytes: 1024 }));
    expect(action).toEqual({ kind: "open", ackedLsn: writerAcked, resumeAfter: Math.max(lastAcked, writerAcked) });
    return client;
  }

  it("resumes after the larger of both acked LSNs", () => {
    expect(openClient(5, 9).sentThrough).toBe(9);
    expect(openClient(9, 5).sentThrough).toBe(9);
    expect(openClient(3, 3).maxFrameBytes).toBe(1024);
  });

  it("stops at the credit window and frees credit on ACK", () => {
    const client = openClient(0, 0, 2);
    client.sent(1, 3);
    client.sent(4, 4);
    expect(client.canSend()).toBe(false);
    expect(client.receive(encodeFrame({ type: "ack", ackedLsn: 3, creditWindow: 2 }))).toEqual({ kind: "acked", ackedLsn: 3 });
    expect(client.canSend()).toBe(true);
    expect(client.idle).toBe(false);
    client.receive(encodeFrame({ type: "ack", ackedLsn: 4, creditWindow: 2 }));
    expect(client.idle).toBe(true);
    expect(() => client.sent(4, 5)).toThrow(EvoDBError);
  });

  it("closes on an ACK that goes backwards or beyond what was sent", () => {
    const client = openClient(0, 0);
    client.sent(1, 5);
    client.receive(encodeFrame({ type: "ack", ackedLsn: 3, creditWindow: 2 }));
    expect(client.receive(encodeFrame({ type: "ack", ackedLsn: 2, creditWindow: 2 }))).toMatchObject({ kind: "close", code: CloseCode.CorruptFrame });
    const other = openClient(0, 0);
    other.sent(1, 5);
    expect(other.receive(encodeFrame({ type: "ack", ackedLsn: 6, creditWindow: 2 }))).toMatchObject({ kind: "close", code: CloseCode.CorruptFrame });
  });

  it("reports the writer's ERROR and refuses frames only a sender sends", () => {
    const client = openClient(0, 0);
    expect(client.receive(encodeFrame({ type: "error", code: CloseCode.Unauthorized, message: "bad token" }))).toEqual({ kind: "close", code: 4401, reason: "bad token" });
    expect(openClient(0, 0).receive(hello)).toMatchObject({ kind: "close", code: CloseCode.ProtocolViolation });
    expect(openClient(0, 0).receive(KEEPALIVE_RESPONSE)).toEqual({ kind: "none" });
  });
});
