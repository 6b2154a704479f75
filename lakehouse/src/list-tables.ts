import type { ObjectStore } from "@evodb/core";
import { tablePrefix } from "./names";
import { POINTER_PATH } from "./table";

/**
 * Names of the tables under `root` (the `root` of {@link TableLocation}, `""` for the store's top):
 * every `<root>/<name>/metadata/current.json`, sorted. ObjectStore has no delimiter listing, so this
 * pages through every key under the root; fine for a CLI or a console, not for a hot path.
 */
export async function listTables(store: ObjectStore, root = ""): Promise<string[]> {
  // tablePrefix validates the root; "x" is any valid name, cut off again.
  const prefix = tablePrefix(root, "x").slice(0, -2);
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(cursor === undefined ? { prefix } : { prefix, cursor });
    for (const object of page.objects) {
      const rest = object.key.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash > 0 && rest.slice(slash + 1) === POINTER_PATH) names.push(rest.slice(0, slash));
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return names.sort();
}
