export * from "./random";
export * from "./documents";
export * from "./events";
