export * from "./random";
export * from "./events";
export * from "./documents";
export * from "./object-store-conformance";
export * from "./error-code";
export * from "./vectors";
