export * from "./format";
export * from "./build";
export * from "./search";
export * from "./source";
export * from "./coalesce";
