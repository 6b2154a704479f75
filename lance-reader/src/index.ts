/**
 * @evodb/lance-reader: read Lance datasets (file versions legacy, 2.0, 2.1, 2.2) through an
 * ObjectStore and search their IVF_PQ vector indices (IVF_HNSW_SQ through the opt-in entry
 * `@evodb/lance-reader/hnsw`). See README.md and docs/lance-reader.md.
 */
export { openDataset, LanceDataset, toRows, type RowBatch, type ScanOptions } from "./dataset";
export { valueAt, type Column, type FixedColumn, type BinaryColumn, type CellValue, type FixedArray } from "./column";
export type { Filter, Condition } from "./filter";
export type { LanceField, LanceSchema, LanceType } from "./schema";
export type { Fragment, DataFile, IndexEntry, Manifest } from "./manifest";
export { VectorSearcher, type VectorSearcherOptions, type VectorSearchOptions, type VectorSearchResult } from "./vector/search";
export type { VectorIndexType, LoadedVectorIndex, IndexQuery } from "./vector/load-index";
export type { Metric, IvfPqIndex, IvfPartition } from "./vector/ivf-pq";
