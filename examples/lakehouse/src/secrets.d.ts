// Secrets are not in wrangler.jsonc, so `wrangler types` cannot see them: `wrangler secret put
// EVODB_CDC_SECRET` (and EVODB_QUERY_TOKEN, EVODB_TOKEN_SECRET) in production, `.dev.vars` for `wrangler dev`, vitest.config.ts in tests.
declare namespace Cloudflare {
  interface Env {
    EVODB_CDC_SECRET: string;
    /** Operator token: opens every tenant's query and vector routes and mints tenant tokens; unset opens nothing. */
    EVODB_QUERY_TOKEN?: string;
    /** Secret tenant tokens are derived from (src/tenant-token.ts); unset means only the operator token works. */
    EVODB_TOKEN_SECRET?: string;
    /** "tokens" puts the document routes behind the same tokens; unset leaves them open. */
    EVODB_DOCS_AUTH?: string;
  }
}
