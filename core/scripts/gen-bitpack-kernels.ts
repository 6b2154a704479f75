/** Writes core/src/encoding/bitpack-kernels.generated.ts (run: `pnpm exec tsx core/scripts/gen-bitpack-kernels.ts`). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bitpackKernelsSource } from "./bitpack-kernels-source";

const target = fileURLToPath(new URL("../src/encoding/bitpack-kernels.generated.ts", import.meta.url));
writeFileSync(target, bitpackKernelsSource());
console.log(`wrote ${target}`);
