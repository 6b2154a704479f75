import { CLIENT_APP } from "./client-app";
import { CLIENT_CHART } from "./client-chart";
import { CLIENT_RENDER } from "./client-render";
import { CLIENT_SQL } from "./client-sql";
import { CONSOLE_CSS } from "./page-css";
import { CONSOLE_HTML } from "./page-html";

/** Paths of the query console: the page at `/` and `/console`, its script and stylesheet. */
export const CONSOLE_ROUTE = /^\/(?:console(?:\/(?:app\.js|app\.css))?)?$/;

/** The console's script: one strict-mode function scope, so nothing leaks into the page's globals. */
const SCRIPT = `(() => {\n"use strict";\n${CLIENT_SQL}${CLIENT_CHART}${CLIENT_RENDER}${CLIENT_APP}})();\n`;

/**
 * The page may load only this origin's script and stylesheet and call only this origin: an API
 * answer that carried markup could not run script even if it reached the DOM, and the token never
 * leaves for another host. `frame-ancestors 'none'` keeps the page (and its token field) out of
 * other sites' frames.
 */
const HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

const ASSETS: Readonly<Record<string, readonly [body: string, contentType: string]>> = {
  "/console/app.js": [SCRIPT, "text/javascript; charset=utf-8"],
  "/console/app.css": [CONSOLE_CSS, "text/css; charset=utf-8"],
};

/**
 * Answers a request whose path matches {@link CONSOLE_ROUTE}: the console page, script or
 * stylesheet (GET or HEAD; other methods get 405). The page holds no data: it calls the query API
 * (`/tenants/:tenant/...`) with the tenant and token the user enters.
 */
export function consoleRoute(request: Request, pathname: string): Response {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return Response.json({ error: { code: "INVALID_ARGUMENT", message: "the console answers GET only" } }, { status: 405, headers: { allow: "GET, HEAD" } });
  }
  const [body, contentType] = ASSETS[pathname] ?? [CONSOLE_HTML, "text/html; charset=utf-8"];
  return new Response(request.method === "HEAD" ? null : body, { headers: { ...HEADERS, "content-type": contentType } });
}
