// Child process for the cross-process test in object-store-fs.test.ts. At a shared start time it
// races the other children on create-only puts, then at a second shared time on compare-and-swaps
// from given etags, and prints which attempts it won.
import { FsObjectStore } from "../src/node/index";

const [root, writer, createAt, casAt, rounds, baseEtags] = process.argv.slice(2) as [string, string, string, string, string, string];
const store = new FsObjectStore(root);
const etags = JSON.parse(baseEtags) as string[];

async function race(startAt: number, key: (round: number) => string, onlyIf: (round: number) => { etagMatches?: string; etagDoesNotMatch?: string }): Promise<number[]> {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  const results = await Promise.all(Array.from({ length: Number(rounds) }, (_, round) => store.put(key(round), `writer ${writer}`, { onlyIf: onlyIf(round) })));
  return results.flatMap((result, round) => (result === null ? [] : [round]));
}

const created = await race(Number(createAt), (round) => `create/${round}`, () => ({ etagDoesNotMatch: "*" }));
const swapped = await race(Number(casAt), (round) => `cas/${round}`, (round) => ({ etagMatches: etags[round]! }));
process.stdout.write(JSON.stringify({ created, swapped }));
