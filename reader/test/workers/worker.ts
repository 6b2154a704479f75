/**
 * The test Worker of the "reader-workers" vitest project. Tests use its bindings directly; the
 * fetch handler exists only because a Worker needs one.
 */
export default {
  async fetch(): Promise<Response> {
    return new Response("evodb reader test worker");
  },
} satisfies ExportedHandler<Cloudflare.Env>;
