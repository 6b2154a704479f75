import { describe, expect, it } from "vitest";
import { signCdcToken, verifyCdcToken } from "../src/auth";

const secret = "a-long-shared-secret-for-tests";

describe("HELLO credentials (spec §3.1.1)", () => {
  it("verifies a token only for the tenant, source and secret it was signed for", async () => {
    const token = await signCdcToken(secret, "acme", "edge-1");
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]{43}$/);
    expect(await verifyCdcToken(secret, token, "acme", "edge-1")).toBe(true);
    expect(await verifyCdcToken(secret, token, "globex", "edge-1")).toBe(false);
    expect(await verifyCdcToken(secret, token, "acme", "edge-2")).toBe(false);
    expect(await verifyCdcToken("another-long-secret-value", token, "acme", "edge-1")).toBe(false);
  });

  it("refuses malformed tokens without throwing", async () => {
    for (const token of ["", "v1.", "v2.abc", "v1.!!!!", `v1.${"A".repeat(42)}`, secret]) {
      expect(await verifyCdcToken(secret, token, "acme", "edge-1")).toBe(false);
    }
  });

  it("refuses a short secret", async () => {
    await expect(signCdcToken("short", "acme", "e")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
