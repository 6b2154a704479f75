import { EvoDBError } from "@evodb/core";

/**
 * A mergeable partial result. `merge` must be associative, and `finalize(merge(a, b))` must equal
 * the result of computing over the union of `a`'s and `b`'s inputs exactly, whatever tree shape the
 * merges take. Merges are always applied in partition order (left covers earlier partitions), so
 * order-sensitive reducers such as {@link concatReducer} need associativity only, not commutativity.
 *
 * Partials cross the wire as JSON: `encode` must produce a JSON-serialisable value and `decode` must
 * refuse anything malformed with an `EvoDBError` (a child's response is untrusted input).
 */
export interface Reducer<Partial, Result> {
  /** Stable name, written into wire messages so both ends agree on the reducer. */
  readonly kind: string;
  /** The partial of no input. */
  empty(): Partial;
  /** Combines two partials; `left` covers earlier partitions than `right`. May reuse `left`. */
  merge(left: Partial, right: Partial): Partial;
  /** The final answer. */
  finalize(partial: Partial): Result;
  /** JSON form of a partial. */
  encode(partial: Partial): unknown;
  /** Parses a JSON form; throws `EvoDBError("INVALID_ARGUMENT")` when malformed. */
  decode(json: unknown): Partial;
}

/** The partial type of a reducer. */
export type PartialOf<R> = R extends Reducer<infer P, unknown> ? P : never;
/** The result type of a reducer. */
export type ResultOf<R> = R extends Reducer<unknown, infer T> ? T : never;

/** The `INVALID_ARGUMENT` error for a malformed encoded partial. */
export function malformed(kind: string, what: string): EvoDBError {
  return new EvoDBError("INVALID_ARGUMENT", `snippets-chain: malformed ${kind} partial: ${what}`, { details: { reducer: kind } });
}

/** Reads a finite number field or throws {@link malformed}. */
export function finiteNumber(kind: string, value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw malformed(kind, `${field} must be a finite number`);
  return value;
}

/** Reads a plain object or throws {@link malformed}. */
export function objectOf(kind: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed(kind, "expected an object");
  return value as Record<string, unknown>;
}

/**
 * Runs several reducers side by side over one record of partials, e.g.
 * `recordReducer({ rows: countReducer(), total: sumReducer() })`.
 */
export function recordReducer<T extends Record<string, Reducer<any, any>>>(
  fields: T,
): Reducer<{ [K in keyof T]: PartialOf<T[K]> }, { [K in keyof T]: ResultOf<T[K]> }> {
  type P = { [K in keyof T]: PartialOf<T[K]> };
  type R = { [K in keyof T]: ResultOf<T[K]> };
  const names = Object.keys(fields) as Array<keyof T & string>;
  const each = <Out>(fn: (name: keyof T & string, reducer: Reducer<unknown, unknown>) => unknown): Out => {
    const out: Record<string, unknown> = {};
    for (const name of names) out[name] = fn(name, fields[name] as Reducer<unknown, unknown>);
    return out as Out;
  };
  return {
    kind: `record(${names.map((n) => `${n}:${fields[n]!.kind}`).join(",")})`,
    empty: () => each<P>((_, r) => r.empty()),
    merge: (left, right) => each<P>((name, r) => r.merge(left[name], right[name])),
    finalize: (partial) => each<R>((name, r) => r.finalize(partial[name])),
    encode: (partial) => each<Record<string, unknown>>((name, r) => r.encode(partial[name])),
    decode: (json) => {
      const object = objectOf("record", json);
      return each<P>((name, r) => {
        if (!(name in object)) throw malformed("record", `missing field "${name}"`);
        return r.decode(object[name]);
      });
    },
  };
}
