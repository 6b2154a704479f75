/**
 * The test Worker of the "snippets-lance-workers" vitest project. Tests use its R2 binding directly;
 * the fetch handler exists only because a Worker needs one.
 */
export default {
  async fetch(): Promise<Response> {
    return new Response("evodb snippets-lance test worker");
  },
} satisfies ExportedHandler<Cloudflare.Env>;
