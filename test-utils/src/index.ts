export * from "./random";
export * from "./events";
export * from "./documents";
