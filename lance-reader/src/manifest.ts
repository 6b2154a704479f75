/**
 * Dataset manifests (table.proto `Manifest`): `_versions/*.manifest`, each a complete snapshot of
 * the schema, the fragment list and the index section. Names are `{v}.manifest` (V1 naming) or
 * `{2^64-1-v}.manifest` zero-padded to 20 digits (V2 naming, the default), so under V2 the
 * lexicographically smallest name is the newest version.
 */
import { EvoDBError, type ObjectStore } from "@evodb/core";
import { check, corrupt, unsupported } from "./errors";
import { ByteView, readWhole } from "./io";
import { parseProto, type ProtoMessage } from "./protobuf";
import { parseSchema, type LanceSchema } from "./schema";

/** A data file of a fragment. */
export interface DataFile {
  /** Path relative to the dataset's `data/` folder. */
  readonly path: string;
  /** Field ids stored in the file, and the column holding each (-1: none). */
  readonly fields: number[];
  readonly columnIndices: number[];
  readonly major: number;
  readonly minor: number;
  /** Size in bytes (0 when the writer did not record it). */
  readonly size: number;
}

/** A deletion file of a fragment. */
export interface DeletionFileRef {
  /** `arrow` (Arrow IPC list of offsets) or `bitmap` (roaring). */
  readonly kind: "arrow" | "bitmap";
  readonly readVersion: number;
  readonly id: string;
  readonly deletedRows: number;
}

/** A fragment: rows stored together across one or more data files. */
export interface Fragment {
  readonly id: number;
  readonly files: DataFile[];
  readonly deletion: DeletionFileRef | null;
  /** Rows including deleted ones. */
  readonly physicalRows: number;
}

/** A vector or scalar index recorded in a manifest. */
export interface IndexEntry {
  /** Directory under `_indices/`. */
  readonly uuid: string;
  readonly name: string;
  readonly fields: number[];
  readonly datasetVersion: number;
  /** Fragment ids covered by the index. */
  readonly fragmentBitmap: Uint8Array;
}

/** A parsed manifest. */
export interface Manifest {
  readonly version: number;
  readonly schema: LanceSchema;
  readonly fragments: Fragment[];
  readonly dataFormat: string;
  readonly indexSectionOffset: number | null;
  /** The manifest bytes (the index section is read from them lazily). */
  readonly bytes: Uint8Array;
}

/** Reader feature flags this reader understands: deletion files (1), stable row ids (2, refused below), 4 (deprecated), table config (8). */
const KNOWN_READER_FLAGS = 1 | 2 | 4 | 8;
const STABLE_ROW_IDS = 2;
const U64_MAX = (1n << 64n) - 1n;

/** Parses a manifest file name into its version number. */
export function versionFromName(name: string): number | null {
  const m = /^(\d+)\.manifest$/.exec(name);
  if (!m) return null;
  const n = BigInt(m[1]!);
  // V2 names are 20 digits holding 2^64-1-v; V1 names hold v itself.
  const v = m[1]!.length === 20 && n > 1n << 63n ? U64_MAX - n : n;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(v);
}

/** Lists the versions of a dataset, ascending, with their manifest keys. */
export async function listVersions(store: ObjectStore, root: string): Promise<{ version: number; key: string }[]> {
  const prefix = `${root}_versions/`;
  const out: { version: number; key: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix, ...(cursor ? { cursor } : {}) });
    for (const o of page.objects) {
      const version = versionFromName(o.key.slice(prefix.length));
      if (version !== null) out.push({ version, key: o.key });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out.sort((a, b) => a.version - b.version);
}

function section(bytes: Uint8Array, offset: number): ProtoMessage {
  const v = new ByteView(bytes);
  const length = v.u32(offset);
  check(offset + 4 + length <= bytes.length, "manifest section runs past the file");
  return parseProto(bytes.subarray(offset + 4, offset + 4 + length));
}

/** Parses manifest bytes: sections of u32 length + protobuf, then a 16-byte footer (u64 position, 0, 2, "LANC"). */
export function parseManifest(bytes: Uint8Array): Manifest {
  check(bytes.length >= 16, "manifest is too small");
  const v = new ByteView(bytes);
  check(v.u32(bytes.length - 4) === 0x434e414c, "manifest does not end with the LANC magic");
  const m = section(bytes, v.u64(bytes.length - 16));
  const flags = m.uint(9);
  if ((flags & ~KNOWN_READER_FLAGS) !== 0) throw unsupported(`manifest reader feature flags ${flags}`);
  if (flags & STABLE_ROW_IDS) throw unsupported("datasets with stable row ids");
  const fragments = m.messages(2).map((f): Fragment => {
    const del = f.message(3);
    return {
      id: f.uint(1),
      physicalRows: f.uint(4),
      files: f.messages(2).map((d) => ({
        path: d.string(1),
        fields: d.varints(2, true),
        columnIndices: d.varints(3, true),
        major: d.uint(4),
        minor: d.uint(5),
        size: d.uint(6),
      })),
      deletion: del ? { kind: del.uint(1) === 1 ? "bitmap" : "arrow", readVersion: del.uint(2), id: String(del.rawVarint(3)), deletedRows: del.uint(4) } : null,
    };
  });
  const format = m.message(15);
  return {
    version: m.uint(3),
    schema: parseSchema(m.messages(1), m.map(5)),
    fragments,
    dataFormat: format ? format.string(2) : "",
    indexSectionOffset: m.has(6) ? m.uint(6) : null,
    bytes,
  };
}

/** Reads the index section of a manifest. */
export function readIndexSection(manifest: Manifest): IndexEntry[] {
  if (manifest.indexSectionOffset === null) return [];
  return section(manifest.bytes, manifest.indexSectionOffset)
    .messages(1)
    .map((e) => {
      const uuid = e.message(1)?.bytes(1) ?? new Uint8Array(0);
      check(uuid.length === 16, "index uuid is not 16 bytes");
      const hex = Array.from(uuid, (b) => b.toString(16).padStart(2, "0")).join("");
      return {
        uuid: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
        name: e.string(3),
        fields: e.varints(2, true),
        datasetVersion: e.uint(4),
        fragmentBitmap: e.bytes(5),
      };
    });
}

/** Loads the manifest of `version` (or the latest when undefined). */
export async function loadManifest(store: ObjectStore, root: string, version?: number): Promise<Manifest> {
  const versions = await listVersions(store, root);
  if (versions.length === 0) throw new EvoDBError("NOT_FOUND", `no Lance manifests under ${root}_versions/; is this a Lance dataset?`);
  const entry = version === undefined ? versions[versions.length - 1]! : versions.find((v) => v.version === version);
  if (!entry) throw new EvoDBError("NOT_FOUND", `Lance dataset ${root} has no version ${version}; available: ${versions.map((v) => v.version).join(", ")}`);
  const manifest = parseManifest(await readWhole(store, entry.key));
  if (manifest.version !== entry.version) throw corrupt(`manifest ${entry.key} says version ${manifest.version}`);
  return manifest;
}
