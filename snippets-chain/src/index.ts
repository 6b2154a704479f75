export * from "./budget";
export * from "./plan";
export * from "./reducer";
export * from "./reducers/basic";
export * from "./reducers/sum";
export * from "./reducers/top-k";
export * from "./reducers/concat";
export * from "./reducers/distinct";
