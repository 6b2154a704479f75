/**
 * How the filesystem store maps object keys to paths under its root, safely and reversibly.
 *
 * A key is split at "/" and each segment becomes one path component, percent-encoded so no key
 * can escape the root or collide with the store's own files:
 * - "%", "~", "\" and control characters (U+0000-U+001F, U+007F) become %XX;
 * - the segments "." and ".." become "%2E" and "%2E%2E"; an empty segment ("a//b", "/a") becomes "%".
 * Objects are files named `<segment>~`; directories are named `<segment>`. Because "~" is always
 * escaped inside a segment, an object "a" (file "a~") and an object "a/b" (directory "a") never
 * collide, and any other name containing "~" (the `~tmp` and `~locks` directories) is the store's.
 * A component may hold at most 255 bytes on common filesystems, so a segment whose encoding (plus
 * the "~") exceeds that is refused with INVALID_NAME; R2 itself only limits the whole key.
 */
import { EvoDBError } from "../errors";

/** Longest encoded segment: 255-byte file names minus the object suffix "~". */
export const MAX_ENCODED_SEGMENT_BYTES = 254;
/** Suffix that marks a file holding an object. */
export const OBJECT_FILE_SUFFIX = "~";

const MUST_ESCAPE = /[\u0000-\u001f\u007f%~\\]/g;
const utf8 = new TextEncoder();

/** The path components (relative to the root) of the file that stores `key`. */
export function keyToComponents(key: string): string[] {
  const segments = key.split("/");
  const components = segments.map(encodeSegment);
  components[components.length - 1] += OBJECT_FILE_SUFFIX;
  return components;
}

/** Encodes one key segment as a file or directory name (without the object suffix). */
export function encodeSegment(segment: string): string {
  if (segment === "") return "%";
  if (segment === ".") return "%2E";
  if (segment === "..") return "%2E%2E";
  const encoded = segment.replace(MUST_ESCAPE, (ch) => "%" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"));
  const bytes = utf8.encode(encoded).length;
  if (bytes > MAX_ENCODED_SEGMENT_BYTES) {
    throw new EvoDBError("INVALID_NAME", `Key segment "${segment.slice(0, 40)}..." encodes to ${bytes} bytes; the filesystem store allows ${MAX_ENCODED_SEGMENT_BYTES} per "/"-separated segment. Use shorter segments.`, {
      details: { bytes, limit: MAX_ENCODED_SEGMENT_BYTES },
    });
  }
  return encoded;
}

/** Decodes a directory or object name (without the suffix) back into its key segment. */
export function decodeSegment(name: string): string {
  if (name === "%") return "";
  return name.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** What a directory entry is: an object file, a key directory, or one of the store's own files. */
export function classifyEntryName(name: string): "object" | "directory" | "internal" {
  const tilde = name.indexOf("~");
  if (tilde === -1) return "directory";
  return tilde === name.length - 1 && tilde > 0 ? "object" : "internal";
}
