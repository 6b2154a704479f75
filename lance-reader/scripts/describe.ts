/** Schema-less protobuf dump of an encoding descriptor (debugging aid, not part of the reader). */
import type { EncodingRef } from "../src/file";
import { ProtoMessage } from "../src/protobuf";

function dump(bytes: Uint8Array, depth: number): string {
  if (depth > 12) return "…";
  let m: ProtoMessage;
  try {
    m = new ProtoMessage(bytes);
  } catch {
    return `bytes[${bytes.length}]`;
  }
  const parts: string[] = [];
  const fields = (m as unknown as { fields: Map<number, unknown[]> }).fields;
  for (const [k, vs] of fields) {
    for (const v of vs) {
      if (v instanceof Uint8Array) parts.push(`${k}:${v.length > 0 && v.length < 3000 ? `{${dump(v, depth + 1)}}` : `bytes[${v.length}]`}`);
      else parts.push(`${k}=${v}`);
    }
  }
  return parts.join(" ");
}

/** One-line rendering of an encoding. */
export function describeEncoding(e: EncodingRef): string {
  return `${e.typeUrl} ${dump(e.value, 0)}`;
}
