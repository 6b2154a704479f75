/**
 * Unique names for files a commit writes. Two writers may pick the same snapshot id while they
 * race, so every file name carries 128 random bits from the platform CSPRNG (available as
 * `crypto.getRandomValues` in both workerd and Node >= 19).
 */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** A uniform float in [0, 1) from the platform CSPRNG (retry jitter must differ between writers). */
export function randomUnit(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! / 4294967296;
}
