import type { FieldType } from "./types";

/** The type lattice of docs/schema.md, "Widening". */

/**
 * The narrowest type that holds values of both types: equal types stay, `null` gives way to the
 * other type, int and float give float, anything else gives variant.
 */
export function widenType(a: FieldType, b: FieldType): FieldType {
  if (a === b) return a;
  if (a === "null") return b;
  if (b === "null") return a;
  if ((a === "int" && b === "float") || (a === "float" && b === "int")) return "float";
  return "variant";
}

/** True when every value of type `from` is also a value of type `to`. */
export function isWiderOrEqual(from: FieldType, to: FieldType): boolean {
  return widenType(from, to) === to;
}
