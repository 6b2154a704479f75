import { stringifyJson, type JsonValue } from "@evodb/core";

/** Output formats of row-returning commands. `json` prints one JSON array and nothing else. */
export type RowFormat = "table" | "json" | "ndjson" | "csv";
export const ROW_FORMATS: readonly RowFormat[] = ["table", "json", "ndjson", "csv"];

type Row = Record<string, unknown>;

function cell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return stringifyJson(value as JsonValue);
}

function csvCell(value: unknown): string {
  const text = cell(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Renders rows; `columns` fixes the column order (defaults to the keys of the rows in order of appearance). */
export function formatRows(rows: readonly Row[], format: RowFormat, columns?: readonly string[]): string {
  const names = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  switch (format) {
    case "json":
      return `${stringifyJson(rows as unknown as JsonValue)}\n`;
    case "ndjson":
      return rows.map((r) => `${stringifyJson(r as unknown as JsonValue)}\n`).join("");
    case "csv":
      return [names.map(csvCell).join(","), ...rows.map((r) => names.map((n) => csvCell(r[n])).join(","))].join("\n") + "\n";
    case "table": {
      const body = rows.map((r) => names.map((n) => cell(r[n])));
      const widths = names.map((n, i) => Math.min(60, Math.max(n.length, ...body.map((line) => line[i]!.length))));
      const fit = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
      const line = (cells: readonly string[]): string => cells.map((c, i) => fit(c, widths[i]!)).join(" | ").trimEnd();
      return [line(names), widths.map((w) => "-".repeat(w)).join("-+-"), ...body.map(line), `(${rows.length} row${rows.length === 1 ? "" : "s"})`].join("\n") + "\n";
    }
  }
}
