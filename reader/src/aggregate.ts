import { EvoDBError, type JsonValue } from "@evodb/core";
import { compareVecRows } from "./compare-kernels";
import { evalScalar, type EvalContext } from "./evaluate";
import type { Expr } from "./query-types";
import { TaggedStore, growFloat64, growUint32 } from "./tagged-store";
import { Kind, nestedText } from "./value-order";
import { nullVec, type Vec } from "./vector";

/** An aggregate call as it appears in the query. */
export type AggregateExpr = Extract<Expr, { kind: "aggregate" }>;

/**
 * Most groups one query may build. Composite keys are combined as `previousId * 2^26 + keyId` in a
 * Map<number>, which stays exact below 2^53 only while both ids stay below 2^26.
 */
export const MAX_GROUPS = 1 << 26;
const STAGE_FACTOR = 1 << 26;

/**
 * Maps the values of one GROUP BY expression to dense ids. Numbers and strings hash natively
 * (a Map keyed by the number itself, so int 1 and float 1.0 and -0/0 are one key, as in SQL).
 */
class KeyDictionary {
  readonly values = new TaggedStore();
  private nullId = -1;
  private readonly boolIds = [-1, -1];
  private readonly numbers = new Map<number, number>();
  private readonly strings = new Map<string, number>();
  private readonly others = new Map<string, number>();

  idOf(vec: Vec, j: number): number {
    switch (vec.kinds[j]) {
      case Kind.Null:
        if (this.nullId < 0) this.nullId = this.values.pushFromVec(vec, j);
        return this.nullId;
      case Kind.Bool: {
        const b = vec.nums[j]!;
        if (this.boolIds[b]! < 0) this.boolIds[b] = this.values.pushFromVec(vec, j);
        return this.boolIds[b]!;
      }
      case Kind.Number:
        return lookup(this.numbers, vec.nums[j]!, () => this.values.pushFromVec(vec, j));
      case Kind.String:
        return lookup(this.strings, vec.strs![j]!, () => this.values.pushFromVec(vec, j));
      default:
        return lookup(this.others, nestedText(vec.others![j]!), () => this.values.pushFromVec(vec, j));
    }
  }
}

function lookup<K>(map: Map<K, number>, key: K, create: () => number): number {
  let id = map.get(key);
  if (id === undefined) map.set(key, (id = create()));
  return id;
}

/** Per-group state of one aggregate call. */
class AggregateState {
  counts: Float64Array = new Float64Array(16);
  sums: Float64Array = new Float64Array(16);
  readonly best = new TaggedStore();
  readonly distinct: (Set<number | string | boolean | bigint> | undefined)[] = [];

  constructor(readonly call: AggregateExpr) {}

  ensure(groups: number): void {
    this.counts = growFloat64(this.counts, groups);
    this.sums = growFloat64(this.sums, groups);
    if (this.call.fn === "min" || this.call.fn === "max") this.best.ensure(groups);
  }

  add(groupIds: Uint32Array, values: Vec | undefined): void {
    const { fn, distinct } = this.call;
    const counts = this.counts;
    if (values === undefined) {
      for (let j = 0; j < groupIds.length; j++) counts[groupIds[j]!]!++;
      return;
    }
    const kinds = values.kinds;
    if (distinct && fn !== "min" && fn !== "max") {
      for (let j = 0; j < groupIds.length; j++) {
        const key = distinctKey(values, j);
        if (key === undefined) continue;
        const g = groupIds[j]!;
        (this.distinct[g] ??= new Set()).add(key);
      }
      return;
    }
    switch (fn) {
      case "count":
        for (let j = 0; j < groupIds.length; j++) if (kinds[j] !== Kind.Null) counts[groupIds[j]!]!++;
        return;
      case "sum":
      case "avg": {
        // SUM/AVG add numbers and skip every other kind (docs/query.md: a schemaless path may mix types).
        const sums = this.sums;
        for (let j = 0; j < groupIds.length; j++) {
          const kind = kinds[j];
          if (kind === Kind.Number) {
            const g = groupIds[j]!;
            sums[g]! += values.nums[j]!;
            counts[g]!++;
          } else if (kind === Kind.Other && typeof values.others![j] === "bigint") {
            const g = groupIds[j]!;
            sums[g]! += Number(values.others![j] as bigint);
            counts[g]!++;
          }
        }
        return;
      }
      default: {
        const sign = fn === "min" ? -1 : 1;
        const best = this.best;
        const bestView = best.view();
        for (let j = 0; j < groupIds.length; j++) {
          if (kinds[j] === Kind.Null) continue;
          const g = groupIds[j]!;
          if (counts[g] === 0 || compareVecRows(values, j, bestView, g) === sign) {
            best.setFromVec(g, values, j);
            counts[g] = 1;
          }
        }
      }
    }
  }

  /** Final values, one per group. */
  result(groups: number): Vec {
    const out = nullVec(groups);
    const { fn, distinct } = this.call;
    if (distinct && fn !== "min" && fn !== "max") {
      for (let g = 0; g < groups; g++) {
        const set = this.distinct[g];
        if (fn === "count") {
          out.kinds[g] = Kind.Number;
          out.nums[g] = set?.size ?? 0;
          continue;
        }
        let sum = 0;
        let count = 0;
        for (const key of set ?? []) {
          if (typeof key === "number" || typeof key === "bigint") {
            sum += Number(key);
            count++;
          }
        }
        if (count > 0) {
          out.kinds[g] = Kind.Number;
          out.nums[g] = fn === "avg" ? sum / count : sum;
        }
      }
      return out;
    }
    switch (fn) {
      case "count":
        out.kinds.fill(Kind.Number);
        out.nums.set(this.counts.subarray(0, groups));
        return out;
      case "sum":
      case "avg":
        for (let g = 0; g < groups; g++) {
          if (this.counts[g] === 0) continue;
          out.kinds[g] = Kind.Number;
          out.nums[g] = fn === "avg" ? this.sums[g]! / this.counts[g]! : this.sums[g]!;
        }
        return out;
      default:
        this.best.ensure(groups);
        return this.best.toVec();
    }
  }
}

/** Key for DISTINCT: the value itself for scalars (a Set tells 1 from "1"), JSON text for nested. */
function distinctKey(values: Vec, j: number): number | string | boolean | bigint | undefined {
  switch (values.kinds[j]) {
    case Kind.Null:
      return undefined;
    case Kind.Bool:
      return values.nums[j] === 1;
    case Kind.Number:
      return values.nums[j]!;
    case Kind.String:
      return values.strs![j]!;
    default: {
      const other = values.others![j] as JsonValue;
      // Nested values never equal a string, so their text gets a prefix no JSON text starts with.
      return typeof other === "bigint" ? other : `\u0000${nestedText(other)}`;
    }
  }
}

/**
 * Hash aggregation across any number of batches: GROUP BY keys are mapped to dense group ids
 * (one dictionary per key expression, chained for composite keys), then each aggregate updates its
 * typed per-group state in one loop per batch.
 */
export class GroupAggregator {
  private readonly dictionaries: KeyDictionary[];
  private readonly stages: Map<number, number>[];
  private readonly groupKeyIds: Uint32Array[];
  private readonly states: AggregateState[];
  private groups = 0;

  constructor(
    private readonly groupBy: readonly Expr[],
    aggregates: readonly AggregateExpr[],
  ) {
    this.dictionaries = groupBy.map(() => new KeyDictionary());
    this.stages = groupBy.map(() => new Map());
    this.groupKeyIds = groupBy.map(() => new Uint32Array(16));
    this.states = aggregates.map((call) => new AggregateState(call));
    // Without GROUP BY there is exactly one group, also over zero rows (COUNT(*) = 0).
    if (groupBy.length === 0) this.setGroupCount(1);
  }

  /** Folds the selected rows of one batch into the groups. */
  add(context: EvalContext, selection: Uint32Array): void {
    const n = selection.length;
    if (n === 0) return;
    const groupIds = new Uint32Array(n);
    if (this.groupBy.length > 0) {
      const keyVecs = this.groupBy.map((e) => evalScalar(context, e, selection));
      const keyIds = keyVecs.map(() => new Uint32Array(n));
      for (let e = 0; e < keyVecs.length; e++) {
        const dictionary = this.dictionaries[e]!;
        const vec = keyVecs[e]!;
        const ids = keyIds[e]!;
        for (let j = 0; j < n; j++) ids[j] = dictionary.idOf(vec, j);
      }
      for (let j = 0; j < n; j++) {
        let id = 0;
        for (let e = 0; e < keyIds.length; e++) {
          const stage = this.stages[e]!;
          const composite = id * STAGE_FACTOR + keyIds[e]![j]!;
          let next = stage.get(composite);
          if (next === undefined) {
            next = stage.size;
            stage.set(composite, next);
            if (e === keyIds.length - 1) this.newGroup(keyIds, j);
          }
          id = next;
        }
        groupIds[j] = id;
      }
    }
    for (const state of this.states) {
      const arg = state.call.arg;
      state.add(groupIds, arg === undefined ? undefined : evalScalar(context, arg, selection));
    }
  }

  private newGroup(keyIds: Uint32Array[], j: number): void {
    const g = this.groups;
    if (g + 1 >= MAX_GROUPS) {
      throw new EvoDBError("LIMIT_EXCEEDED", `GROUP BY produced more than ${MAX_GROUPS} groups; group by fewer distinct values.`);
    }
    this.setGroupCount(g + 1);
    for (let e = 0; e < keyIds.length; e++) {
      this.groupKeyIds[e] = growUint32(this.groupKeyIds[e]!, g + 1);
      this.groupKeyIds[e]![g] = keyIds[e]![j]!;
    }
  }

  private setGroupCount(groups: number): void {
    this.groups = groups;
    for (const state of this.states) state.ensure(groups);
  }

  /** Number of groups so far. */
  get groupCount(): number {
    return this.groups;
  }

  /**
   * The finished groups: one vector per GROUP BY expression and per aggregate, indexed by group id,
   * keyed by the expression's JSON text (the `bound` map of an {@link EvalContext}).
   */
  finish(): Map<string, Vec> {
    const bound = new Map<string, Vec>();
    this.groupBy.forEach((expr, e) => {
      const values = this.dictionaries[e]!.values.toVec();
      const ids = this.groupKeyIds[e]!;
      const store = new TaggedStore();
      for (let g = 0; g < this.groups; g++) store.setFromVec(g, values, ids[g]!);
      bound.set(JSON.stringify(expr), store.toVec());
    });
    for (const state of this.states) bound.set(JSON.stringify(state.call), state.result(this.groups));
    return bound;
  }
}
