import { env as rawEnv } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { signCdcToken } from "../../src/auth";
import type { CdcEntry } from "../../src/batch";
import { decodeFrame, encodeFrame, type Frame } from "../../src/frame";
import type { RpcTestEnv, TestWriter } from "./worker";

/** The test Worker's bindings (see RpcTestEnv). */
export const env = rawEnv as unknown as RpcTestEnv;

/** What a raw test client saw on its socket. */
export type Received = { kind: "message"; data: ArrayBuffer | string } | { kind: "close"; code: number; reason: string };

/** A WebSocket client speaking to a writer directly, with a queue of what arrived. */
export class RawClient {
  private readonly queue: Received[] = [];
  private waiter: (() => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event: MessageEvent) => this.push({ kind: "message", data: event.data as ArrayBuffer | string }));
    ws.addEventListener("close", (event: CloseEvent) => this.push({ kind: "close", code: event.code, reason: event.reason }));
  }

  private push(item: Received): void {
    this.queue.push(item);
    this.waiter?.();
  }

  /** Opens a socket to the writer named `writerName`. */
  static async connect(writerName: string): Promise<RawClient> {
    const stub = env.EVODB_WRITER.get(env.EVODB_WRITER.idFromName(writerName));
    const response = await stub.fetch("https://writer/cdc", { headers: { Upgrade: "websocket" } });
    const ws = response.webSocket;
    if (ws === null) throw new Error(`no WebSocket (HTTP ${response.status})`);
    ws.binaryType = "arraybuffer";
    ws.accept();
    return new RawClient(ws);
  }

  /** The next message or close (waits for it; vitest's test timeout bounds the wait). */
  async next(): Promise<Received> {
    while (this.queue.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.queue.shift()!;
  }

  /** The next binary message as bytes; fails on anything else. */
  async nextFrame(): Promise<Uint8Array> {
    const item = await this.next();
    if (item.kind !== "message" || typeof item.data === "string") throw new Error(`expected a binary frame, got ${JSON.stringify(item)}`);
    return new Uint8Array(item.data);
  }

  close(): void {
    try {
      this.ws.close(1000, "test done");
    } catch {
      // Already closed by the writer.
    }
  }
}

/** Rows buffered in a writer, with the sources' durable LSNs. */
export async function writerContents(writerName: string): Promise<{ entries: { source_id: string; lsn: number; table_name: string; op: string }[]; sources: { source_id: string; acked_lsn: number }[] }> {
  const stub = env.EVODB_WRITER.get(env.EVODB_WRITER.idFromName(writerName));
  return runInDurableObject(stub, (_instance: TestWriter, state) => ({
    entries: state.storage.sql.exec<{ source_id: string; lsn: number; table_name: string; op: string }>("SELECT source_id, lsn, table_name, op FROM evodb_cdc_buffer ORDER BY seq").toArray(),
    sources: state.storage.sql.exec<{ source_id: string; acked_lsn: number }>("SELECT source_id, acked_lsn FROM evodb_cdc_sources").toArray(),
  }));
}

/** Polls `condition` (bounded number of rounds), letting alarms and sockets make progress. */
export async function eventually(condition: () => Promise<boolean>, rounds = 400): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("condition not reached");
}

/** Insert entries with LSNs `from..to` (keys `k<lsn>`, documents `{"id":<lsn>}`) for one table. */
export function cdcEntries(from: number, to: number, table = "orders"): CdcEntry[] {
  const out: CdcEntry[] = [];
  for (let lsn = from; lsn <= to; lsn++) out.push({ lsn, table, key: `k${lsn}`, op: "insert", doc: JSON.stringify({ id: lsn }), time: 1_764_000_000_000 + lsn });
  return out;
}

/** Connects to a writer and completes the HELLO / WELCOME exchange; returns the client and the WELCOME. */
export async function openWriterSession(writerName: string, tenant = "acme", sourceId = "edge-1", lastAckedLsn = 0): Promise<{ client: RawClient; welcome: Frame }> {
  const client = await RawClient.connect(writerName);
  const credentials = await signCdcToken(env.EVODB_CDC_SECRET, tenant, sourceId);
  client.ws.send(encodeFrame({ type: "hello", lastAckedLsn, sourceId, tenant, credentials }));
  const welcome = decodeFrame(await client.nextFrame());
  expect(welcome.type).toBe("welcome");
  return { client, welcome };
}
