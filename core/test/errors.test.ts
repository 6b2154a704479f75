import { describe, expect, it } from "vitest";
import { EvoDBError, isEvoDBError } from "../src/index";

describe("EvoDBError", () => {
  it("carries a stable code, a message, details and a cause", () => {
    const cause = new Error("disk");
    const e = new EvoDBError("CORRUPT_BLOCK", "chunk 3 checksum mismatch; refetch the block", { cause, details: { chunk: 3 } });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("EvoDBError");
    expect(e.code).toBe("CORRUPT_BLOCK");
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toEqual({ code: "CORRUPT_BLOCK", message: "chunk 3 checksum mismatch; refetch the block", details: { chunk: 3 } });
    expect(isEvoDBError(e)).toBe(true);
    expect(isEvoDBError(e, "CORRUPT_BLOCK")).toBe(true);
    expect(isEvoDBError(e, "NOT_FOUND")).toBe(false);
    expect(isEvoDBError(new Error("x"))).toBe(false);
  });
});
