export * from "./errors";
export * from "./checksum";
export * from "./object-store";
export * from "./column";
export * from "./json";
export * from "./memory-object-store";
export * from "./object-store-rules";
