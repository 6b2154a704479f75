export * from "./random";
export * from "./documents";
export * from "./events";
export * from "./object-store-conformance"
