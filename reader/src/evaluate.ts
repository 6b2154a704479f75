import { EvoDBError, Tag } from "@evodb/core";
import type { BatchView } from "./batch-view";
import { FALSE, TRUE, UNKNOWN, compareColumnLiteral, compareVecRows, compareVecs, fixSlowRows, flipOp } from "./compare-kernels";
import { compileLike } from "./like";
import { entryTruths, truthFromCodes, usableCodes } from "./dictionary-kernels";
import type { Expr, Literal } from "./query-types";
import { Kind } from "./value-order";
import { constantVec, gatherPath, nullVec, type Vec } from "./vector";

/**
 * Vectorised evaluation of expressions over a selection of rows of one batch.
 *
 * Predicates return a truth vector (0 FALSE / 1 TRUE / 2 NULL per selected row); `filterRows`
 * turns the TRUE rows into a selection vector (Uint32Array of row ids). Scalars return a {@link Vec}.
 * AND and OR narrow the selection as they go, so a later conjunct only runs on rows still undecided.
 */
export interface EvalContext {
  readonly view: BatchView;
  /**
   * Vectors already computed for whole sub-expressions, keyed by their JSON text, indexed by row id.
   * After GROUP BY this binds the group keys and aggregate results, and the "rows" are groups.
   */
  readonly bound?: ReadonlyMap<string, Vec>;
}

/** Row ids of `selection` (all rows when omitted) for which `predicate` is TRUE. */
export function filterRows(context: EvalContext, predicate: Expr, selection: Uint32Array): Uint32Array {
  const truth = evalTruth(context, predicate, selection);
  let count = 0;
  for (let j = 0; j < truth.length; j++) if (truth[j] === TRUE) count++;
  const out = new Uint32Array(count);
  let k = 0;
  for (let j = 0; j < truth.length; j++) if (truth[j] === TRUE) out[k++] = selection[j]!;
  return out;
}

/** Evaluates a boolean expression under three-valued logic. */
export function evalTruth(context: EvalContext, expr: Expr, selection: Uint32Array): Uint8Array {
  const bound = boundVec(context, expr, selection);
  if (bound !== undefined) return truthOfValues(bound);
  switch (expr.kind) {
    case "compare":
      return evalCompare(context, expr.op, expr.left, expr.right, selection);
    case "and":
    case "or":
      return evalJunction(context, expr.kind === "and", expr.args, selection);
    case "not": {
      const truth = evalTruth(context, expr.arg, selection);
      for (let j = 0; j < truth.length; j++) if (truth[j] !== UNKNOWN) truth[j] = 1 - truth[j]!;
      return truth;
    }
    case "between": {
      const inside = evalJunction(
        context,
        true,
        [
          { kind: "compare", op: ">=", left: expr.expr, right: expr.low },
          { kind: "compare", op: "<=", left: expr.expr, right: expr.high },
        ],
        selection,
      );
      if (expr.negated) for (let j = 0; j < inside.length; j++) if (inside[j] !== UNKNOWN) inside[j] = 1 - inside[j]!;
      return inside;
    }
    case "isNull":
      return evalIsNull(context, expr.expr, expr.negated, selection);
    case "in":
      return evalIn(context, expr.expr, expr.list, expr.negated, selection);
    case "like":
      return evalLike(context, expr.expr, expr.pattern, expr.negated, selection);
    default:
      return truthOfValues(evalScalar(context, expr, selection));
  }
}

/** Evaluates a scalar expression to a vector of values. */
export function evalScalar(context: EvalContext, expr: Expr, selection: Uint32Array): Vec {
  const bound = boundVec(context, expr, selection);
  if (bound !== undefined) return bound;
  switch (expr.kind) {
    case "column":
      return gatherPath(context.view, expr.path, selection);
    case "literal":
      return constantVec(expr.value, selection.length);
    case "arith":
      return evalArith(expr.op, evalScalar(context, expr.left, selection), evalScalar(context, expr.right, selection));
    case "negate": {
      const values = evalScalar(context, expr.arg, selection);
      const out = nullVec(values.length);
      for (let j = 0; j < values.length; j++) {
        if (values.kinds[j] === Kind.Number) {
          out.kinds[j] = Kind.Number;
          out.nums[j] = -values.nums[j]!;
        }
      }
      return out;
    }
    case "aggregate":
      throw new EvoDBError("QUERY_INVALID", "An aggregate cannot be evaluated per row; use it in SELECT, HAVING or ORDER BY of an aggregate query.");
    default: {
      const truth = evalTruth(context, expr, selection);
      const out = nullVec(truth.length);
      for (let j = 0; j < truth.length; j++) {
        if (truth[j] !== UNKNOWN) {
          out.kinds[j] = Kind.Bool;
          out.nums[j] = truth[j]!;
        }
      }
      return out;
    }
  }
}

function boundVec(context: EvalContext, expr: Expr, selection: Uint32Array): Vec | undefined {
  if (context.bound === undefined || expr.kind === "literal") return undefined;
  const vec = context.bound.get(JSON.stringify(expr));
  return vec === undefined ? undefined : takeVec(vec, selection);
}

/** The slots of `vec` at the given indices. */
export function takeVec(vec: Vec, selection: Uint32Array): Vec {
  const n = selection.length;
  const out = nullVec(n);
  for (let j = 0; j < n; j++) {
    const i = selection[j]!;
    out.kinds[j] = vec.kinds[i]!;
    out.nums[j] = vec.nums[i]!;
  }
  if (vec.strs) {
    const strs = (out.strs = new Array<string | undefined>(n));
    for (let j = 0; j < n; j++) strs[j] = vec.strs[selection[j]!];
  }
  if (vec.others) {
    const others = (out.others = new Array<Vec["others"] extends (infer T)[] | undefined ? T : never>(n));
    for (let j = 0; j < n; j++) others[j] = vec.others[selection[j]!];
  }
  return out;
}

/** Booleans are their own truth; NULL and values of other kinds are unknown. */
function truthOfValues(values: Vec): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let j = 0; j < values.length; j++) out[j] = values.kinds[j] === Kind.Bool ? values.nums[j]! : UNKNOWN;
  return out;
}

function evalCompare(context: EvalContext, op: Parameters<typeof flipOp>[0], left: Expr, right: Expr, selection: Uint32Array): Uint8Array {
  if (context.bound === undefined) {
    if (left.kind === "column" && right.kind === "literal") {
      const column = context.view.column(left.path);
      if (column === undefined && !context.view.hasOverflow) return new Uint8Array(selection.length).fill(UNKNOWN);
      const fast = column && compareColumnLiteral(context.view, column, op, right.value, selection);
      if (fast) return fast;
    } else if (left.kind === "literal" && right.kind === "column") {
      return evalCompare(context, flipOp(op), right, left, selection);
    }
  }
  return compareVecs(op, evalScalar(context, left, selection), evalScalar(context, right, selection));
}

/** AND / OR under three-valued logic, narrowing the selection to undecided rows after each argument. */
function evalJunction(context: EvalContext, isAnd: boolean, args: readonly Expr[], selection: Uint32Array): Uint8Array {
  const n = selection.length;
  const decided = isAnd ? FALSE : TRUE;
  const out = new Uint8Array(n).fill(isAnd ? TRUE : FALSE);
  let current = selection;
  let positions: Uint32Array | undefined;
  for (const arg of args) {
    const truth = evalTruth(context, arg, current);
    const nextSelection = new Uint32Array(current.length);
    const nextPositions = new Uint32Array(current.length);
    let kept = 0;
    for (let k = 0; k < current.length; k++) {
      const p = positions === undefined ? k : positions[k]!;
      const t = truth[k]!;
      if (t === decided) {
        out[p] = decided;
        continue;
      }
      if (t === UNKNOWN) out[p] = UNKNOWN;
      nextSelection[kept] = current[k]!;
      nextPositions[kept++] = p;
    }
    if (kept === 0) break;
    current = nextSelection.subarray(0, kept);
    positions = nextPositions.subarray(0, kept);
  }
  return out;
}

function evalIsNull(context: EvalContext, operand: Expr, negated: boolean, selection: Uint32Array): Uint8Array {
  const n = selection.length;
  const out = new Uint8Array(n);
  const isNull = negated ? FALSE : TRUE;
  const notNull = negated ? TRUE : FALSE;
  const column = operand.kind === "column" && context.bound === undefined ? context.view.column(operand.path) : undefined;
  if (column !== undefined && !context.view.hasOverflow) {
    // Missing and JSON null are both SQL NULL; an object, a variant or a value is not.
    const tags = column.tags;
    for (let j = 0; j < n; j++) {
      const tag = tags[selection[j]!]!;
      out[j] = tag === Tag.Missing || tag === Tag.Null ? isNull : notNull;
    }
    return out;
  }
  const values = evalScalar(context, operand, selection);
  for (let j = 0; j < n; j++) out[j] = values.kinds[j] === Kind.Null ? isNull : notNull;
  return out;
}

function evalIn(context: EvalContext, operand: Expr, list: readonly Expr[], negated: boolean, selection: Uint32Array): Uint8Array {
  const literals = list.every((e) => e.kind === "literal") ? list.map((e) => (e as { value: Literal }).value) : undefined;
  const column = operand.kind === "column" && context.bound === undefined ? context.view.column(operand.path) : undefined;
  let out: Uint8Array | undefined;
  if (literals !== undefined && column !== undefined && (column.type === "int" || column.type === "float" || column.type === "string")) {
    // Hash lookup per row on the typed values; a NULL in the list turns "not found" into unknown.
    const miss = literals.includes(null) ? UNKNOWN : FALSE;
    const n = selection.length;
    const tags = column.tags;
    if (column.type === "string") {
      const set = new Set(literals.filter((v): v is string => typeof v === "string"));
      const coded = usableCodes(column, selection);
      if (coded !== undefined) {
        out = truthFromCodes(context.view, column, coded, entryTruths(coded, (e) => (set.has(e) ? TRUE : miss)), selection);
      } else {
        const values = column.values;
        out = new Uint8Array(n);
        for (let j = 0; j < n; j++) {
          const row = selection[j]!;
          out[j] = tags[row] === Tag.Value ? (set.has(values[row]!) ? TRUE : miss) : UNKNOWN;
        }
      }
    } else {
      const set = new Set(literals.filter((v): v is number => typeof v === "number"));
      const values = column.values;
      out = new Uint8Array(n);
      for (let j = 0; j < n; j++) {
        const row = selection[j]!;
        out[j] = tags[row] === Tag.Value ? (set.has(values[row]!) ? TRUE : miss) : UNKNOWN;
      }
    }
    fixSlowRows(context.view, column, selection, out, (vec) => inGeneric(vec, list.map((e) => evalScalar(context, e, allIndices(vec.length)))));
  } else {
    out = inGeneric(
      evalScalar(context, operand, selection),
      list.map((e) => evalScalar(context, e, selection)),
    );
  }
  if (negated) for (let j = 0; j < out.length; j++) if (out[j] !== UNKNOWN) out[j] = 1 - out[j]!;
  return out;
}

/** x IN (a, b, ...): TRUE if some item equals x, else NULL if x or some item is NULL, else FALSE. */
function inGeneric(values: Vec, items: readonly Vec[]): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let j = 0; j < values.length; j++) {
    if (values.kinds[j] === Kind.Null) {
      out[j] = UNKNOWN;
      continue;
    }
    let result = FALSE;
    for (const item of items) {
      if (item.kinds[j] === Kind.Null) result = UNKNOWN;
      else if (compareVecRows(values, j, item, j) === 0) {
        result = TRUE;
        break;
      }
    }
    out[j] = result;
  }
  return out;
}

function allIndices(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** LIKE applies to strings; NULL gives NULL and a value of another kind never matches. */
function evalLike(context: EvalContext, operand: Expr, pattern: string, negated: boolean, selection: Uint32Array): Uint8Array {
  const match = compileLike(pattern);
  const hit = negated ? FALSE : TRUE;
  const miss = negated ? TRUE : FALSE;
  const column = operand.kind === "column" && context.bound === undefined ? context.view.column(operand.path) : undefined;
  const coded = column === undefined ? undefined : usableCodes(column, selection);
  if (column !== undefined && coded !== undefined) {
    const out = truthFromCodes(context.view, column, coded, entryTruths(coded, (e) => (match(e) ? hit : miss)), selection);
    fixSlowRows(context.view, column, selection, out, (values) => likeOnValues(values, match, hit, miss));
    return out;
  }
  return likeOnValues(evalScalar(context, operand, selection), match, hit, miss);
}

function likeOnValues(values: Vec, match: (s: string) => boolean, hit: number, miss: number): Uint8Array {
  const out = new Uint8Array(values.length);
  const strs = values.strs;
  for (let j = 0; j < values.length; j++) {
    const kind = values.kinds[j];
    out[j] = kind === Kind.Null ? UNKNOWN : kind === Kind.String && match(strs![j]!) ? hit : miss;
  }
  return out;
}

/** Arithmetic on numbers; any other operand kind, and division or remainder by zero, gives NULL. */
function evalArith(op: string, a: Vec, b: Vec): Vec {
  const n = a.length;
  const out = nullVec(n);
  const an = numericView(a);
  const bn = numericView(b);
  for (let j = 0; j < n; j++) {
    if (!an.ok[j] || !bn.ok[j]) continue;
    const x = an.values[j]!;
    const y = bn.values[j]!;
    let r: number;
    switch (op) {
      case "+":
        r = x + y;
        break;
      case "-":
        r = x - y;
        break;
      case "*":
        r = x * y;
        break;
      case "/":
        if (y === 0) continue;
        r = x / y;
        break;
      default:
        if (y === 0) continue;
        r = x % y;
    }
    out.kinds[j] = Kind.Number;
    out.nums[j] = r;
  }
  return out;
}

/** Numbers of a vector (bigint variants converted, rounding beyond 2^53) with a validity mask. */
function numericView(vec: Vec): { values: Float64Array; ok: Uint8Array } {
  const ok = new Uint8Array(vec.length);
  let values = vec.nums;
  for (let j = 0; j < vec.length; j++) {
    const kind = vec.kinds[j];
    if (kind === Kind.Number) ok[j] = 1;
    else if (kind === Kind.Other && typeof vec.others![j] === "bigint") {
      if (values === vec.nums) values = vec.nums.slice();
      values[j] = Number(vec.others![j] as bigint);
      ok[j] = 1;
    }
  }
  return { values, ok };
}
