export * from "./budget";
export * from "./plan";
