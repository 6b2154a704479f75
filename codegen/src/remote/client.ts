import { EvoDBError, stringifyJson, type EvoDBErrorCode, type JsonValue } from "@evodb/core";

/** Where `--url` commands go: the app's base URL, the tenant, and the token sent as a bearer. */
export interface RemoteTarget {
  /** Base URL without a trailing slash, e.g. `https://evodb.example.workers.dev`. */
  readonly base: string;
  readonly tenant: string;
  /** From `EVODB_TOKEN`; requests go without an Authorization header when it is unset. */
  readonly token: string | undefined;
  /** Per-request timeout. */
  readonly timeoutMs: number;
}

/** Default per-request timeout: a query may scan for a while (the reference app allows 30 s). */
export const DEFAULT_TIMEOUT_MS = 60_000;

const TENANT_IN_PATH = /^(.*)\/tenants\/([^/]+)\/?$/;

/**
 * Resolves `--url` and `--tenant`. The tenant is either `--tenant NAME` (or `EVODB_TENANT`) or the
 * last part of a URL ending in `/tenants/NAME`; naming two different tenants is refused.
 */
export function remoteTarget(url: string, options: { tenant?: string; timeoutMs?: number; env: Record<string, string | undefined> }): RemoteTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new EvoDBError("INVALID_ARGUMENT", `--url ${url} is not a URL; pass the app's base URL, e.g. https://evodb.example.workers.dev`, { cause: error });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new EvoDBError("INVALID_ARGUMENT", `--url ${url} must be http:// or https://`);
  }
  let base = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, "");
  let tenant = options.tenant ?? options.env["EVODB_TENANT"];
  const inPath = TENANT_IN_PATH.exec(base);
  if (inPath !== null) {
    const fromUrl = decodeURIComponent(inPath[2]!);
    if (tenant !== undefined && tenant !== fromUrl) {
      throw new EvoDBError("INVALID_ARGUMENT", `--url names tenant ${fromUrl} but --tenant (or EVODB_TENANT) says ${tenant}; name it once`);
    }
    base = inPath[1]!;
    tenant = fromUrl;
  }
  if (tenant === undefined || tenant === "") {
    throw new EvoDBError("INVALID_ARGUMENT", "--url needs a tenant: pass --tenant NAME, set EVODB_TENANT, or end the URL with /tenants/NAME");
  }
  const token = options.env["EVODB_TOKEN"];
  return { base, tenant, token: token === "" ? undefined : token, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
}

/** A request to the app, relative to `/tenants/:tenant`. */
export interface RemoteRequest {
  readonly method: "GET" | "POST" | "PUT";
  readonly path: string;
  /** A JSON body (integers beyond 2^53 as bigint are kept exact). */
  readonly json?: unknown;
  /** A JSON body already serialised. */
  readonly body?: string;
  /**
   * Retry a 503 (a Worker being redeployed, or `wrangler dev` reloading) a few times. Only for
   * requests that are safe to repeat: reads, and document posts (keyed by id, so a repeat replaces).
   */
  readonly retry?: boolean;
}

const RETRIES = 4;

/** Error bodies: the query API's `{ code, message, details? }`, or the document routes' `{ error: … }`. */
function errorOf(body: unknown): { code: string; message: string; details?: Record<string, unknown> } | null {
  const object = body !== null && typeof body === "object" && "error" in body ? (body as { error: unknown }).error : body;
  if (object === null || typeof object !== "object") return null;
  const { code, message, details } = object as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof code !== "string" || typeof message !== "string") return null;
  return { code, message, ...(details !== null && typeof details === "object" ? { details: details as Record<string, unknown> } : {}) };
}

const CODE = /^[A-Z][A-Z_]*$/;

/** The error an unsuccessful response stands for, with a hint for the codes a user can act on. */
function responseError(status: number, text: string, what: string): EvoDBError {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML page, say): described by its status below.
  }
  const error = errorOf(body);
  const code = (error !== null && CODE.test(error.code) ? error.code : status === 401 ? "UNAUTHORIZED" : status === 403 ? "FORBIDDEN" : status === 404 ? "NOT_FOUND" : "STORAGE_ERROR") as EvoDBErrorCode;
  // The server's EvoDBError message already says what to do; a bare status needs the request to make sense.
  const message = error?.message ?? `${what}: HTTP ${status}: ${text.slice(0, 200).trim() || "(empty body)"}`;
  const hint =
    code === "UNAUTHORIZED" ? " Set EVODB_TOKEN to the app's API token."
    : code === "FORBIDDEN" ? " The token is valid but not for this tenant; check --tenant."
    : "";
  // `unreachable` is the client's own verdict (exit code 3), never taken from a server's details.
  const { unreachable: _ignored, ...details } = error?.details ?? {};
  return new EvoDBError(code, `${message}${hint}`, { details: { ...details, status } });
}

/**
 * The one HTTP client of the CLI's `--url` mode: bearer token, a timeout per request, 503 retries
 * for repeatable requests, and every failure as an `EvoDBError` (the server's own code when it
 * sent one). A server that cannot be reached or does not answer in time gives `STORAGE_ERROR` /
 * `TIMEOUT` with `details.unreachable`, which the CLI turns into its own exit code.
 */
export class RemoteClient {
  constructor(readonly target: RemoteTarget) {}

  /** The absolute URL of a path under the tenant. */
  url(path: string): string {
    return `${this.target.base}/tenants/${encodeURIComponent(this.target.tenant)}${path}`;
  }

  /** Sends the request and returns the parsed JSON body of a 2xx answer. */
  async json<T>(request: RemoteRequest): Promise<T> {
    const url = this.url(request.path);
    const what = `${request.method} ${url}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.target.token !== undefined) headers["authorization"] = `Bearer ${this.target.token}`;
    const body = request.body ?? (request.json === undefined ? undefined : stringifyJson(request.json as JsonValue));
    if (body !== undefined) headers["content-type"] = "application/json";
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(url, what, { method: request.method, headers, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      if (response.status === 503 && request.retry === true && attempt < RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
        continue;
      }
      if (!response.ok) throw responseError(response.status, text, what);
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new EvoDBError("STORAGE_ERROR", `${what} answered HTTP ${response.status} with a body that is not JSON; is --url the EvoDB app?`, { cause: error, details: { status: response.status } });
      }
    }
  }

  private async send(url: string, what: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.target.timeoutMs) });
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (name === "TimeoutError" || name === "AbortError") {
        throw new EvoDBError("TIMEOUT", `${what} did not answer within ${this.target.timeoutMs / 1000} s; check --url, or raise --timeout.`, { cause: error, details: { unreachable: true } });
      }
      // Node's fetch reports connection failures as TypeError("fetch failed") with the system error as cause.
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      const reason = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : (error as Error).message;
      throw new EvoDBError("STORAGE_ERROR", `cannot reach ${this.target.base} (${reason}); check --url and that the app is running.`, {
        cause: error,
        details: { unreachable: true, url },
      });
    }
  }
}
