// Bindings of test/workers/wrangler.jsonc. Written by hand rather than by `wrangler types`: the tests
// never call `exports.default`, and a generated `GlobalProps.mainModule` would clash with other
// packages' generated files in the single root type-check (tsconfig.json includes every */test).
declare namespace Cloudflare {
  interface Env {
    BUCKET: R2Bucket;
  }
}
