export * from "./path";
export * from "./shred";
export * from "./reassemble";
