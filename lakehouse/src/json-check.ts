import { EvoDBError } from "@evodb/core";
import type { Json, JsonScalar } from "./types";

/**
 * Small checkers for JSON read back from storage. Metadata files are untrusted input (a bad disk,
 * a tampered bucket, a newer writer), so every field is checked and a failure names the file and
 * the field: `CORRUPT_METADATA`, never a TypeError later in the engine.
 */
export class JsonReader {
  constructor(private readonly file: string) {}

  /** Parses text as JSON, or throws `CORRUPT_METADATA`. */
  parse(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw this.fail("(root)", "is not valid JSON", cause);
    }
  }

  fail(field: string, problem: string, cause?: unknown): EvoDBError {
    return new EvoDBError(
      "CORRUPT_METADATA",
      `Table metadata file ${this.file} is corrupt: ${field} ${problem}. Restore it from a backup or re-create the table; do not edit metadata by hand.`,
      { cause, details: { file: this.file, field } },
    );
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw this.fail(field, "must be an object");
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) throw this.fail(field, "must be an array");
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== "string") throw this.fail(field, "must be a string");
    return value;
  }

  /** A non-negative safe integer. */
  count(value: unknown, field: string): number {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw this.fail(field, "must be a non-negative integer");
    return value;
  }

  countOrNull(value: unknown, field: string): number | null {
    return value === null ? null : this.count(value, field);
  }

  /** A JSON scalar (string, finite number, boolean or null). */
  scalar(value: unknown, field: string): JsonScalar {
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number" && Number.isFinite(value)) return value;
    throw this.fail(field, "must be a string, number, boolean or null");
  }

  /** Any JSON value (checked recursively, depth-limited so a hostile file cannot blow the stack). */
  json(value: unknown, field: string, depth = 0): Json {
    if (depth > 64) throw this.fail(field, "is nested deeper than 64 levels");
    if (Array.isArray(value)) return value.map((item, i) => this.json(item, `${field}[${i}]`, depth + 1));
    if (typeof value === "object" && value !== null) {
      const out: { [key: string]: Json } = {};
      for (const [key, item] of Object.entries(value)) out[key] = this.json(item, `${field}.${key}`, depth + 1);
      return out;
    }
    return this.scalar(value, field);
  }

  stringArray(value: unknown, field: string): string[] {
    return this.array(value, field).map((item, i) => this.string(item, `${field}[${i}]`));
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      throw this.fail(field, `must be one of ${allowed.join(", ")}`);
    }
    return value as T;
  }
}
