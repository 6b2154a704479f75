export * from "./protocol";
export * from "./frame";
export * from "./server-session";
export * from "./client-session";
export * from "./auth";
export * from "./batch";
export * from "./writer-shard";
