// Secrets are not in wrangler.jsonc, so `wrangler types` cannot see them: `wrangler secret put
// EVODB_CDC_SECRET` (and EVODB_QUERY_TOKEN) in production, `.dev.vars` for `wrangler dev`, vitest.config.ts in tests.
declare namespace Cloudflare {
  interface Env {
    EVODB_CDC_SECRET: string;
    /** Bearer token of the query API; unset means every query request is refused. */
    EVODB_QUERY_TOKEN?: string;
  }
}
