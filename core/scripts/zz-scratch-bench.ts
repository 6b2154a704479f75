import { randomEventDocuments } from "@evodb/test-utils";
import { shred, reassemble } from "../src/index";
const docs = randomEventDocuments(1, 200_000);
const text = docs.map((d) => JSON.stringify(d));
for (let k = 0; k < 6; k++) {
  let t = performance.now();
  for (const l of text) JSON.parse(l);
  const tj = performance.now() - t;
  t = performance.now();
  const b = shred(docs);
  const ts = performance.now() - t;
  t = performance.now();
  reassemble(b);
  const tr = performance.now() - t;
  t = performance.now();
  reassemble(b, { paths: [["user", "id"], ["type"]] });
  const tp = performance.now() - t;
  const f = (x: number) => (docs.length / x / 1000).toFixed(2);
  console.log(`JSON.parse ${f(tj)} shred ${f(ts)} reassemble ${f(tr)} project2 ${f(tp)} M docs/s`);
}
