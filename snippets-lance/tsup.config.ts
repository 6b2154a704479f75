import { libraryConfig } from "../tsup.library";

export default libraryConfig({ entry: { index: "src/index.ts", lance: "src/lance.ts" } });
