import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_UNREACHABLE } from "../src/index";
import { evodb, tempDir } from "./helpers";

/**
 * The client's own behaviour on the wire (timeouts, bodies that are not the app's, 503 retries),
 * against a plain HTTP server standing in for what sits in front of an app: a proxy that hangs or
 * answers HTML. The app's real answers are tested in e2e/test/cli.test.ts under wrangler dev.
 */
describe("--url HTTP client", () => {
  const { dir, cleanup } = tempDir();
  let server: Server;
  let base = "";
  let unavailable = 0;
  const seen: { method: string; url: string; authorization: string | undefined }[] = [];
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    // Never answers: the client must give up after --timeout.
    "/hang/tenants/t/tables": () => undefined,
    "/html/tenants/t/tables": (_req, res) => res.writeHead(502, { "content-type": "text/html" }).end("<html>Bad gateway</html>"),
    "/busy/tenants/t/tables": (_req, res) => {
      if (unavailable++ < 2) res.writeHead(503).end();
      else res.writeHead(200, { "content-type": "application/json" }).end('{"tables":["b","a"]}');
    },
    "/busy/tenants/t/tables/a/snapshots": (_req, res) => res.writeHead(200).end('{"snapshots":[]}'),
    "/busy/tenants/t/tables/b/snapshots": (_req, res) => res.writeHead(200).end('{"snapshots":[]}'),
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
      const route = routes[req.url!];
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    cleanup();
  });

  it("gives up after --timeout with TIMEOUT and the unreachable exit code", async () => {
    const out = await evodb(dir, ["--url", `${base}/hang`, "--tenant", "t", "--timeout", "300ms", "tables"]);
    expect(out.code).toBe(EXIT_UNREACHABLE);
    expect(out.stderr).toMatch(/^error TIMEOUT: GET http:\/\/127\.0\.0\.1:\d+\/hang\/tenants\/t\/tables did not answer within 0\.3 s/);
  });

  it("reports a body that is not the app's by its status and the request", async () => {
    const out = await evodb(dir, ["--url", `${base}/html/tenants/t`, "tables"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^error STORAGE_ERROR: GET http:\/\/127\.0\.0\.1:\d+\/html\/tenants\/t\/tables: HTTP 502: <html>Bad gateway<\/html>/);
  });

  it("retries a read answered 503, and sends the token from EVODB_TOKEN", async () => {
    seen.length = 0;
    const { code, stdout } = await evodb(dir, ["--url", `${base}/busy`, "--tenant", "t", "tables", "--format", "json"], "", { EVODB_TOKEN: "secret-token" });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { table: "a", snapshot: null, rows: 0, files: 0 },
      { table: "b", snapshot: null, rows: 0, files: 0 },
    ]);
    expect(seen.filter((r) => r.url === "/busy/tenants/t/tables")).toHaveLength(3);
    expect(new Set(seen.map((r) => r.authorization))).toEqual(new Set(["Bearer secret-token"]));
  });
});
