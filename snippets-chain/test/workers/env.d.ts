// Bindings of test/workers/wrangler.jsonc, written by hand (see core/test/workers/env.d.ts for why).
declare namespace Cloudflare {
  interface Env {
    CHAIN: Fetcher;
  }
}
