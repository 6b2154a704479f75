import { EvoDBError } from "@evodb/core";

/**
 * HELLO credentials (spec §3.1.1): `v1.` + base64url(HMAC-SHA256(secret, "evodb-cdc-v1\0" + tenant
 * + "\0" + sourceId)). The shared secret itself never crosses the wire, and a token only opens a
 * session for the tenant and source it was signed for, so a tenant cannot present its own token to
 * write as another tenant. Web Crypto only: it is the same API in workerd and Node >= 19.
 */
const TOKEN_PREFIX = "v1.";
const CONTEXT = "evodb-cdc-v1";
const encoder = new TextEncoder();

async function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  if (secret.length < 16) {
    throw new EvoDBError("INVALID_ARGUMENT", "the CDC shared secret must be at least 16 characters; set EVODB_CDC_SECRET to a long random string");
  }
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

function message(tenant: string, sourceId: string): Uint8Array {
  return encoder.encode(`${CONTEXT}\0${tenant}\0${sourceId}`);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Signs the credentials an edge object presents in its HELLO for `tenant` / `sourceId`. */
export async function signCdcToken(secret: string, tenant: string, sourceId: string): Promise<string> {
  const key = await hmacKey(secret, "sign");
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message(tenant, sourceId)));
  return TOKEN_PREFIX + toBase64Url(mac);
}

/**
 * True when `token` was signed with `secret` for exactly this tenant and source. Uses
 * `crypto.subtle.verify`, which compares in constant time.
 */
export async function verifyCdcToken(secret: string, token: string, tenant: string, sourceId: string): Promise<boolean> {
  if (!token.startsWith(TOKEN_PREFIX)) return false;
  const mac = fromBase64Url(token.slice(TOKEN_PREFIX.length));
  if (mac === null || mac.length !== 32) return false;
  const key = await hmacKey(secret, "verify");
  return crypto.subtle.verify("HMAC", key, mac, message(tenant, sourceId));
}
