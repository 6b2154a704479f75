// Bindings of test/workers/wrangler.jsonc, written by hand: a generated `GlobalProps.mainModule`
// would clash with other packages' in the single root type-check (tsconfig.json includes */test).
declare namespace Cloudflare {
  interface Env {
    BUCKET: R2Bucket;
  }
}
