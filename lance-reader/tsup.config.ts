import { libraryConfig } from "../tsup.library";

// `hnsw` is the opt-in IVF_HNSW_SQ entry (`@evodb/lance-reader/hnsw`); esbuild splits the code both entries share into a chunk.
export default libraryConfig({ entry: { index: "src/index.ts", hnsw: "src/hnsw.ts" } });
