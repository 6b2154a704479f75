export * from "./cache-policy";
export * from "./origin";
export * from "./http-object-store";
export * from "./prefetch";
