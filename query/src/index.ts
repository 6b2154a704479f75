export * from "./sql/tokenize";
export * from "./sql/parse";
export * from "./sql/format";
export * from "./engine";
export * from "./explain";
export * from "./http-api";
