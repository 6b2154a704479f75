/**
 * Tenant-scoped bearer tokens of the reference app (README, "Tokens"). A tenant token is
 * `<tenant>.<base64url(HMAC-SHA256(EVODB_TOKEN_SECRET, "evodb-tenant-v1:" + tenant))>`: the app
 * keeps no token list, it recomputes the MAC. Tenant names never contain '.', so the token splits at
 * its last dot. The operator token (EVODB_QUERY_TOKEN) opens every tenant. Web Crypto only, so the
 * same code mints tokens in Node (tests, scripts) and verifies them in workerd.
 */
import { EvoDBError } from "@evodb/core";
import { isValidTenant } from "@evodb/rpc";

/** Domain separation: the same secret must never produce a valid token of another kind. */
const CONTEXT = "evodb-tenant-v1:";
/** A shorter secret is guessable; refuse it rather than sign with it. */
const MIN_SECRET_LENGTH = 16;
const encoder = new TextEncoder();

/** Who a request's bearer token speaks for. */
export type Principal = { readonly kind: "operator" } | { readonly kind: "tenant"; readonly tenant: string };

/** The secrets {@link authenticate} reads (Worker secrets; unset ones open nothing). */
export interface TokenEnv {
  EVODB_TOKEN_SECRET?: string;
  EVODB_QUERY_TOKEN?: string;
  /** "tokens": the document routes need a token too ({@link refuseDocumentRequest}); anything else leaves them open. */
  EVODB_DOCS_AUTH?: string;
}

async function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new EvoDBError("INVALID_ARGUMENT", `EVODB_TOKEN_SECRET must be at least ${MIN_SECRET_LENGTH} characters; set it to a long random string (wrangler secret put EVODB_TOKEN_SECRET).`);
  }
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** 32 bytes from 43 base64url characters, or null for anything else (a MAC has exactly that length). */
function macFromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=");
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** `tenant` when it is a valid tenant name (rpc's isValidTenant); otherwise `INVALID_NAME`. */
export function checkTenant(tenant: string): string {
  if (!isValidTenant(tenant)) throw new EvoDBError("INVALID_NAME", `tenant "${tenant}" is not a valid tenant name: 1-128 characters of [A-Za-z0-9_-], not starting with '-'`);
  return tenant;
}

/** Mints the token of `tenant` (what `POST /tenants/:tenant/token` answers, and what an operator can compute offline). */
export async function mintTenantToken(secret: string, tenant: string): Promise<string> {
  checkTenant(tenant);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), encoder.encode(CONTEXT + tenant)));
  return `${tenant}.${toBase64Url(mac)}`;
}

/** Compares without an early exit, so response time does not reveal how much of a token matched. */
function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return difference === 0;
}

/** The token of an `Authorization: Bearer <token>` header, or "" without one. */
export function bearerToken(request: Request): string {
  const header = request.headers.get("authorization") ?? "";
  return header.startsWith("Bearer ") ? header.slice(7).trim() : "";
}

/**
 * Who `token` speaks for, or null when it is no valid token. Tenant MACs are checked with
 * `crypto.subtle.verify` (constant time); the operator token with {@link constantTimeEqual}.
 */
export async function authenticate(env: TokenEnv, token: string): Promise<Principal | null> {
  if (token === "") return null;
  const operator = env.EVODB_QUERY_TOKEN ?? "";
  if (operator !== "" && constantTimeEqual(token, operator)) return { kind: "operator" };
  const secret = env.EVODB_TOKEN_SECRET ?? "";
  const dot = token.lastIndexOf(".");
  if (secret.length < MIN_SECRET_LENGTH || dot <= 0) return null;
  const tenant = token.slice(0, dot);
  const mac = macFromBase64Url(token.slice(dot + 1));
  if (mac === null || !isValidTenant(tenant)) return null;
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), mac, encoder.encode(CONTEXT + tenant));
  return valid ? { kind: "tenant", tenant } : null;
}

/**
 * Checks that the request may act for `tenant`: the operator token or that tenant's own token.
 * Throws UNAUTHORIZED (no or invalid token: HTTP 401) or FORBIDDEN (a valid token of another
 * tenant: HTTP 403).
 */
export async function authorizeTenant(env: TokenEnv, request: Request, tenant: string): Promise<Principal> {
  const principal = await authenticate(env, bearerToken(request));
  if (principal === null) {
    throw new EvoDBError("UNAUTHORIZED", "Missing or wrong token; send Authorization: Bearer <the tenant's token or the operator token>.");
  }
  if (principal.kind === "tenant" && principal.tenant !== tenant) {
    throw new EvoDBError("FORBIDDEN", `This token belongs to tenant ${principal.tenant}; it cannot read or change tenant ${tenant}.`, { details: { tenant } });
  }
  return principal;
}

/** Throws FORBIDDEN unless the request carries the operator token (minting tokens, for one). */
export async function authorizeOperator(env: TokenEnv, request: Request): Promise<void> {
  const principal = await authenticate(env, bearerToken(request));
  if (principal === null) throw new EvoDBError("UNAUTHORIZED", "Missing or wrong token; send Authorization: Bearer <EVODB_QUERY_TOKEN>.");
  if (principal.kind !== "operator") throw new EvoDBError("FORBIDDEN", "Only the operator token (EVODB_QUERY_TOKEN) may do this.");
}

/**
 * For the document routes (`/tenants/:tenant/tables/:table/docs…`): with `EVODB_DOCS_AUTH=tokens`
 * they need the tenant's token or the operator token like every other route, and the refusal is
 * answered in the document API's shape (`{"error": {code, message}}`, 401 or 403). Without it they
 * stay open (the default, for a deployment that authenticates writers in front of the Worker).
 * Null means "go on".
 */
export async function refuseDocumentRequest(env: TokenEnv, request: Request, tenant: string): Promise<Response | null> {
  if (env.EVODB_DOCS_AUTH !== "tokens") return null;
  try {
    await authorizeTenant(env, request, tenant);
    return null;
  } catch (error) {
    if (!(error instanceof EvoDBError)) throw error;
    return Response.json({ error: error.toJSON() }, { status: error.code === "FORBIDDEN" ? 403 : 401 });
  }
}
