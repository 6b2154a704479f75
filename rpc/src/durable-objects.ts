/**
 * The Durable Object classes (import from "@evodb/rpc/durable-objects" inside a Worker only: they
 * extend `DurableObject` from "cloudflare:workers", which exists only in workerd).
 */
export * from "./writer-do";
export * from "./edge-do";
export type { BufferedEntry, FlushClaim, ParkedGroup } from "./writer-store";
