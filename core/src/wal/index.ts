// WAL / CDC entry batches, format version 1 (docs/wal.md).
export * from "./wal-format";
export * from "./wal-encode";
export * from "./wal-decode";
