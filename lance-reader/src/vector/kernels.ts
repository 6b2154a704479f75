/**
 * Distance kernels on Float32Array with no allocation per call, in Lance's definitions:
 * squared L2 (no square root), cosine distance 1 - a.b / (|a||b|), dot distance 1 - a.b.
 */

/** Squared L2 distance between a[aOff..aOff+d) and b[bOff..bOff+d). */
export function l2(a: Float32Array, aOff: number, b: Float32Array, bOff: number, d: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 4 <= d; i += 4) {
    const x0 = a[aOff + i]! - b[bOff + i]!;
    const x1 = a[aOff + i + 1]! - b[bOff + i + 1]!;
    const x2 = a[aOff + i + 2]! - b[bOff + i + 2]!;
    const x3 = a[aOff + i + 3]! - b[bOff + i + 3]!;
    s0 += x0 * x0;
    s1 += x1 * x1;
    s2 += x2 * x2;
    s3 += x3 * x3;
  }
  for (; i < d; i++) {
    const x = a[aOff + i]! - b[bOff + i]!;
    s0 += x * x;
  }
  return s0 + s1 + s2 + s3;
}

/** Dot product. */
export function dot(a: Float32Array, aOff: number, b: Float32Array, bOff: number, d: number): number {
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 2 <= d; i += 2) {
    s0 += a[aOff + i]! * b[bOff + i]!;
    s1 += a[aOff + i + 1]! * b[bOff + i + 1]!;
  }
  if (i < d) s0 += a[aOff + i]! * b[bOff + i]!;
  return s0 + s1;
}

/** Distance of `metric` between a query and a stored vector (`queryNorm` = |query| for cosine). */
export function distance(metric: "l2" | "cosine" | "dot", q: Float32Array, queryNorm: number, v: Float32Array, off: number, d: number): number {
  if (metric === "l2") return l2(q, 0, v, off, d);
  const ab = dot(q, 0, v, off, d);
  if (metric === "dot") return 1 - ab;
  const vv = Math.sqrt(dot(v, off, v, off, d));
  // Lance treats a zero vector as maximally distant (cosine distance 1 would tie with orthogonal).
  return vv === 0 || queryNorm === 0 ? 1 : 1 - ab / (queryNorm * vv);
}
