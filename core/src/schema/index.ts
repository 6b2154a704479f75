export * from "./types";
export * from "./lattice";
export * from "./infer";
export * from "./evolve";
export * from "./diff";
export * from "./validate";
export * from "./canonical";
