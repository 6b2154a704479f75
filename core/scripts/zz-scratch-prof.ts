import { randomEventDocuments } from "@evodb/test-utils";
import { shred, reassemble } from "../src/index";
const docs = randomEventDocuments(1, 100_000);
for (let k = 0; k < 8; k++) { const b = shred(docs); reassemble(b); }
