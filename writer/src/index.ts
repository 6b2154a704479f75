export * from "./row-key";
export * from "./block-rows";
export * from "./table-writer";
export * from "./live-rows";
export * from "./compaction";
export * from "./partition";
export * from "./schema-tracker";
