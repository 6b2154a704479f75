import { libraryConfig } from "../tsup.library";

export default libraryConfig({ entry: { index: "src/index.ts", "durable-objects": "src/durable-objects.ts" }, external: ["cloudflare:workers"] });
