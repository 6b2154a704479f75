import type { FieldType } from "./types";

/**
 * The type lattice of docs/schema.md, "Widening". A field's type is treated as a set of member
 * types: `null` is the empty set, a plain type a singleton, a `variant` with `variantTypes` those
 * members, and a `variant` without them every value. Ints are members of float, so a set holding
 * float never lists int separately.
 */

/** Member types in their canonical order (the order `variantTypes` is written in). */
export const MEMBER_TYPES: readonly FieldType[] = ["bool", "int", "float", "string", "array", "object"];

const BIT: Readonly<Record<string, number>> = { bool: 1, int: 2, float: 4, string: 8, array: 16, object: 32 };
const INT = 2;
const FLOAT = 4;
/** Every value: a variant without a member list. */
const ANY = -1;

/** The type part of a field: `type`, plus `variantTypes` for a variant that lists its members. */
export interface TypeShape {
  readonly type: FieldType;
  readonly variantTypes?: readonly FieldType[];
}

/** The member-type bit set of a shape ({@link ANY} for an unrestricted variant). */
export function typeSetOf(shape: TypeShape): number {
  if (shape.type === "null") return 0;
  if (shape.type !== "variant") return BIT[shape.type]!;
  if (shape.variantTypes === undefined) return ANY;
  let set = 0;
  for (const member of shape.variantTypes) set |= BIT[member] ?? 0;
  return normalize(set);
}

function normalize(set: number): number {
  // Every int is a float: a set with float needs no separate int.
  return set !== ANY && set & FLOAT ? set & ~INT : set;
}

/** The shape of a member-type bit set: empty is `null`, one member its type, more a listed variant. */
export function shapeOfTypeSet(set: number): TypeShape {
  if (set === ANY) return { type: "variant" };
  const members = MEMBER_TYPES.filter((t) => normalize(set) & BIT[t]!);
  if (members.length === 0) return { type: "null" };
  if (members.length === 1) return { type: members[0]! };
  return { type: "variant", variantTypes: members };
}

/** The bit of one member type (0 for `null` and `variant`). */
export function typeBit(type: FieldType): number {
  return BIT[type] ?? 0;
}

/** The narrowest shape holding the values of both shapes (set union, ints folded into float). */
export function widenShape(a: TypeShape, b: TypeShape): TypeShape {
  const setA = typeSetOf(a);
  const setB = typeSetOf(b);
  return shapeOfTypeSet(setA === ANY || setB === ANY ? ANY : setA | setB);
}

/**
 * The narrowest plain type holding values of both types: equal types stay, `null` gives way to the
 * other type, int and float give float, anything else gives variant.
 */
export function widenType(a: FieldType, b: FieldType): FieldType {
  return widenShape({ type: a }, { type: b }).type;
}

/** True when every value `from` allows is also allowed by `to`. */
export function covers(to: TypeShape, from: TypeShape): boolean {
  const setTo = typeSetOf(to);
  if (setTo === ANY) return true;
  const setFrom = typeSetOf(from);
  if (setFrom === ANY) return false;
  const effective = setTo & FLOAT ? setTo | INT : setTo;
  return (setFrom & ~effective) === 0;
}

/** True when every value of plain type `from` is also a value of plain type `to`. */
export function isWiderOrEqual(from: FieldType, to: FieldType): boolean {
  return covers({ type: to }, { type: from });
}

/** True when a value of plain type `actual` (never `null`) is allowed by `shape`. */
export function allowsType(shape: TypeShape, actual: FieldType): boolean {
  return covers(shape, { type: actual });
}
