// Child process for the cross-process test in object-store-fs.test.ts: waits until a shared start
// time, then races the other children on conditional puts and prints which attempts it won.
import { FsObjectStore } from "../src/node/index";

const [root, mode, writer, startAt, rounds, baseEtags] = process.argv.slice(2) as [string, string, string, string, string, string];
const store = new FsObjectStore(root);
const etags = JSON.parse(baseEtags) as string[];
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const attempts = Array.from({ length: Number(rounds) }, (_, round) =>
  store.put(`race/${round}`, `writer ${writer}`, {
    onlyIf: mode === "create" ? { etagDoesNotMatch: "*" } : { etagMatches: etags[round]! },
  }),
);
const results = await Promise.all(attempts);
process.stdout.write(JSON.stringify(results.flatMap((result, round) => (result === null ? [] : [round]))));
