import { createChainHandler } from "../../src/index";
import { testMap, testReducer } from "./aggregation";

/**
 * Every node of the test chain: leaves map seeded partitions, inner nodes fan out to children
 * through the CHAIN service binding, which points back at this same Worker.
 */
export default {
  async fetch(request, env): Promise<Response> {
    const handle = createChainHandler({ reducer: testReducer, map: testMap, fetch: (r) => env.CHAIN.fetch(r), baseDelayMs: 5 });
    return handle(request);
  },
} satisfies ExportedHandler<Cloudflare.Env>;
