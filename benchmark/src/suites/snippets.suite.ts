/** The snippets section (issue 7): vector search and scatter-gather inside Cloudflare Snippet budgets. */
import { registerSuite } from "../harness/registry";
import { buildVectorData, QUERY_COUNT, VECTOR_CLUSTERS, VECTOR_DIM, VECTOR_ROWS } from "./snippets-data";
import { buildIndexes, measureSnippetsLance } from "./snippets-lance-section";
import { measureSnippetsChain } from "./snippets-chain-section";
import { measureQuantiserComparison } from "./snippets-quantisers";

registerSuite({
  id: "snippets",
  title: "Snippets: vector search and scatter-gather within Snippet budgets",
  order: 50,
  description:
    `@evodb/snippets-lance on ${VECTOR_ROWS.toLocaleString("en-US")} x ${VECTOR_DIM} float32 vectors: a seeded Gaussian mixture of ` +
    `${VECTOR_CLUSTERS} components (clusteredVectors in @evodb/test-utils), indexed from the raw vectors with buildIndex ` +
    "(not from a Lance IVF index) and served from a MemoryObjectStore behind a fetch-counting RangeFetcher; " +
    `${QUERY_COUNT} held-out queries from the same mixture, top-10, against exact brute-force search. ` +
    "Budgets are those of a Cloudflare Snippet (5 subrequests, 5 ms CPU, 2 MB memory per request); bundle sizes are in the bundle section. " +
    "@evodb/snippets-chain: a 125-partition aggregation planned and run in this process (nodes are real handlers, not a network).",
  async run(ctx) {
    const started = performance.now();
    const data = buildVectorData();
    ctx.log(`vectors and exact answers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const indexes = await buildIndexes(ctx, data);
    await measureSnippetsLance(ctx, data, indexes);
    measureQuantiserComparison(ctx, data);
    await measureSnippetsChain(ctx);
  },
});
