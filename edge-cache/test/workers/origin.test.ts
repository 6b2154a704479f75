import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_FOOTER_READ_SIZE, isEvoDBError, openBlock, readBlock, shred, writeBlock, type JsonValue } from "@evodb/core";
import { generateEvents } from "@evodb/test-utils";
import { HttpObjectStore, createOriginHandler, warmFooters } from "../../src/index";

// The origin runs over the real R2 binding; requests and responses are real workerd objects.
const origin = createOriginHandler({ store: env.EDGE_BUCKET });
const BASE = "https://origin.test";
const call = (path: string, init?: RequestInit) => origin(new Request(`${BASE}/${path}`, init));

async function putBlock(key: string): Promise<Uint8Array> {
  const bytes = writeBlock(shred(generateEvents({ count: 300, seed: 5 }) as unknown as JsonValue[]));
  await env.EDGE_BUCKET.put(key, bytes);
  return bytes;
}

describe("origin handler (workerd, R2)", () => {
  it("serves blocks whole and by range, with immutable caching and a strong ETag", async () => {
    const key = `t1/events/data/${crypto.randomUUID()}.evodb`;
    const bytes = await putBlock(key);
    const whole = await call(key);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(bytes);
    const etag = whole.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);

    const part = await call(key, { headers: { range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 10-19/${bytes.length}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(10, 20));
    const tail = await call(key, { headers: { range: "bytes=-100" } });
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 100));
    const open = await call(key, { headers: { range: `bytes=${bytes.length - 5}-` } });
    expect(new Uint8Array(await open.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 5));

    const beyond = await call(key, { headers: { range: `bytes=${bytes.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${bytes.length}`);

    const notModified = await call(key, { headers: { "if-none-match": etag } });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe("");
    const head = await call(key, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(bytes.length));
  });

  it("keeps the table pointer short-lived and refuses what is not a lakehouse object", async () => {
    await env.EDGE_BUCKET.put("t1/events/metadata/current.json", "{}");
    await env.EDGE_BUCKET.put("t1/secret.txt", "no");
    expect((await call("t1/events/metadata/current.json")).headers.get("cache-control")).toBe("public, max-age=1, must-revalidate");
    expect((await call("t1/secret.txt")).status).toBe(404);
    expect((await call("t1/events/data/missing.evodb")).status).toBe(404);
    expect((await call("t1/events/data/..%2F..%2Fsecret.txt")).status).toBe(400);
    expect((await call("t1/events/data/x.evodb", { method: "POST" })).status).toBe(405);
  });

  it("an HttpObjectStore through the origin reads blocks by range like the bucket itself", async () => {
    const key = `t2/events/data/${crypto.randomUUID()}.evodb`;
    const bytes = await putBlock(key);
    const requests: string[] = [];
    const http = new HttpObjectStore(BASE, async (input, init) => {
      requests.push(new Headers(init?.headers).get("range") ?? "whole");
      return origin(new Request(input, init));
    });
    const block = await openBlock(http, key);
    const paths = [["type"], ["user", "plan"]];
    expect(await block.readColumns(paths)).toEqual(readBlock(bytes, { paths }));
    expect(requests.every((r) => r.startsWith("bytes="))).toBe(true);
    expect(await http.get("t2/events/data/none.evodb")).toBeNull();
    await expect(http.put()).rejects.toSatisfy((e) => isEvoDBError(e, "UNSUPPORTED_FEATURE"));
  });

  it("warms footers with one suffix read per new block", async () => {
    const keys = [`t3/events/data/${crypto.randomUUID()}.evodb`, `t3/events/data/${crypto.randomUUID()}.evodb`];
    for (const key of keys) await putBlock(key);
    const seen: string[] = [];
    const result = await warmFooters(BASE, [...keys, "t3/events/data/gone.evodb"], {
      fetch: async (input, init) => {
        seen.push(new Headers(init?.headers).get("range")!);
        return origin(new Request(input, init));
      },
    });
    expect(result).toEqual({ warmed: 2, failed: ["t3/events/data/gone.evodb"] });
    expect(seen).toEqual(Array(3).fill(`bytes=-${DEFAULT_FOOTER_READ_SIZE}`));
  });
});
