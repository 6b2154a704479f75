export * from "./random";
export * from "./documents";
