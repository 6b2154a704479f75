/**
 * The test Worker for the "core-workers" vitest project. The tests use its R2 binding directly
 * (`env.BUCKET` from "cloudflare:workers"); the fetch handler only exists because a Worker needs one.
 */
export default {
  async fetch(): Promise<Response> {
    return new Response("evodb core test worker");
  },
} satisfies ExportedHandler<Cloudflare.Env>;
