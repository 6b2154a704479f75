/**
 * The test Worker of the "writer-workers" vitest project. Tests use its R2 binding directly
 * (`env.BUCKET` from "cloudflare:workers"); the fetch handler exists only because a Worker needs one.
 */
export default {
  async fetch(): Promise<Response> {
    return new Response("evodb writer test worker");
  },
} satisfies ExportedHandler<Cloudflare.Env>;
