/**
 * The test Worker of the "edge-cache-workers" vitest project. Tests call the origin handler with
 * real Requests over the real R2 binding; this fetch handler exists only because a Worker needs one.
 */
export default {
  async fetch(): Promise<Response> {
    return new Response("evodb edge-cache test worker");
  },
} satisfies ExportedHandler<Cloudflare.Env>;
