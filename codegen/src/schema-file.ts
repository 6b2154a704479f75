import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { checkSchema, EvoDBError, isEvoDBError, parseJson, type Schema } from "@evodb/core";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);
const JAVASCRIPT = new Set([".js", ".mjs", ".cjs"]);

/**
 * A module's schema: its default export, else an export named `schema`. tsx compiles TypeScript
 * on the fly (the CLI's own sources run through it in the repository); plain JavaScript is imported
 * as is.
 */
async function importSchemaModule(path: string): Promise<unknown> {
  let module: { default?: unknown; schema?: unknown };
  try {
    if (TYPESCRIPT.has(extname(path))) {
      const { tsImport } = await import("tsx/esm/api");
      module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as typeof module;
    } else {
      module = (await import(pathToFileURL(path).href)) as typeof module;
    }
  } catch (error) {
    throw new EvoDBError("INVALID_ARGUMENT", `cannot load ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value = module.default ?? module.schema;
  // A .ts file outside an ESM package ("type": "module") compiles to CommonJS, marked `__esModule`,
  // and its whole exports object arrives as the default export.
  if (value !== null && typeof value === "object" && "__esModule" in value) {
    const exports = value as { default?: unknown; schema?: unknown };
    value = exports.default ?? exports.schema;
  }
  if (value === undefined) throw new EvoDBError("INVALID_ARGUMENT", `${path} exports no schema; use \`export default schema\` or \`export const schema = …\``);
  return value;
}

/**
 * Reads the schema a `push` declares: core's schema JSON (docs/schema.md), or a TypeScript or
 * JavaScript module exporting it. Anything that is not a valid schema is INVALID_ARGUMENT naming
 * the file.
 */
export async function loadSchemaFile(cwd: string, file: string): Promise<Schema> {
  const path = resolve(cwd, file);
  const extension = extname(path);
  let value: unknown;
  if (TYPESCRIPT.has(extension) || JAVASCRIPT.has(extension)) value = await importSchemaModule(path);
  else {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new EvoDBError("NOT_FOUND", `cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      value = parseJson(text);
    } catch (error) {
      if (!isEvoDBError(error)) throw error;
      throw new EvoDBError("INVALID_ARGUMENT", `${file}: ${error.message}`, { cause: error });
    }
  }
  try {
    return checkSchema(value);
  } catch (error) {
    if (!isEvoDBError(error)) throw error;
    throw new EvoDBError("INVALID_ARGUMENT", `${file}: ${error.message}`, { cause: error });
  }
}
