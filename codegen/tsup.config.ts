import { libraryConfig } from "../tsup.library";

export default libraryConfig({ entry: { index: "src/index.ts", cli: "src/main.ts" }, dtsEntry: { index: "src/index.ts" }, dtsTypes: ["node"], platform: "node" });
