/**
 * Live rows of a block: the row versions that key+LSN equality deletes are checked against, and
 * the selection of the rows a delete mask keeps.
 */
import { EvoDBError, Tag, type BlockFooter, type ShreddedColumn } from "@evodb/core";

/** Paths of the row version columns every writer block carries (docs/writer.md, section 1). */
export const KEY_PATH = ["_evodb_key"];
export const LSN_PATH = ["_evodb_lsn"];

/** Each row's key and LSN from the version columns; a block without them cannot honour equality deletes. */
export function rowVersions(footer: BlockFooter, fetched: ReadonlyMap<number, ShreddedColumn>, key: string): { keys: string[]; lsns: Float64Array } {
  const find = (path: readonly string[]) => {
    const index = footer.columns.findIndex((c) => c.path.length === 1 && c.path[0] === path[0]);
    return index < 0 ? undefined : fetched.get(index);
  };
  const keyColumn = find(KEY_PATH);
  const lsnColumn = find(LSN_PATH);
  const complete = (column: ShreddedColumn | undefined) => column !== undefined && column.tags.every((t) => t === Tag.Value);
  if (keyColumn?.type !== "string" || lsnColumn?.type !== "int" || !complete(keyColumn) || !complete(lsnColumn)) {
    throw new EvoDBError("CORRUPT_BLOCK", `Block ${key} lacks a complete _evodb_key (string) / _evodb_lsn (int) column, so the snapshot's equality deletes cannot be applied to it.`, {
      details: { key },
    });
  }
  return { keys: keyColumn.values, lsns: lsnColumn.values };
}

/** Row ids of the 1s of a 0/1 mask. */
export function maskToSelection(mask: Uint8Array): Uint32Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  const out = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) out[k++] = i;
  return out;
}
