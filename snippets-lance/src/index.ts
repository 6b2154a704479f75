export * from "./format";
export * from "./build";
export * from "./search";
export * from "./plan";
export * from "./score";
export * from "./source";
export * from "./coalesce";
