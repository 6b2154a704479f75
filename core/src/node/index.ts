// `@evodb/core/node`: Node-only parts of core (they import node:fs), kept out of the main entry so
// Worker bundles never include them.
export * from "./fs-object-store";
export * from "./directory-object-store";
