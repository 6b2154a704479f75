export { run, createProgram, EXIT_BREAKING, EXIT_ERROR } from "./program";
export { processIO, type CliIO } from "./io";
export { formatRows, ROW_FORMATS, type RowFormat } from "./format";
export { schemasToTypeScript, interfaceName, type TableSchemaInfo } from "./typegen";
export { formatDiff, LOCK_FILE, type LockFile } from "./commands/schema";
export { parseDocuments } from "./commands/data";
