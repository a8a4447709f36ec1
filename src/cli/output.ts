/** How commands print data: aligned text tables for people, JSON with --json for programs. */
import { toWireJson } from "../wireJson.js";
import { pyJsonDumps } from "../pipelines/pythonValues.js";

/**
 * --json output. Non-finite numbers are written as the tracking API sends them ("NaN", "Infinity",
 * "-Infinity"): plain JSON.stringify would turn a NaN metric into null, which reads as "no value".
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${toWireJson(value, 2)}\n`);
}

/**
 * --json of a command that dvc has too (status, diff, ls): dvc's bytes when piped (Python's `json.dumps`:
 * one line, `", "` and `": "`, non-ASCII escaped), indented on a terminal, as dvc's `ui.write_json`.
 */
export function printDvcJson(value: unknown): void {
  process.stdout.write(`${process.stdout.isTTY ? JSON.stringify(value, null, 2) : pyJsonDumps(value)}\n`);
}

/** Left-aligned columns separated by two spaces; an empty table prints its header only. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return alignedTable(header, rows, 0);
}

/**
 * A table as dvc prints one (`ui.table`: tabulate's "plain" format): each column as wide as its longest cell or
 * its header plus two, columns two spaces apart, trailing spaces trimmed. For the dvc-compatible commands, whose
 * output scripts may already parse.
 */
export function formatDvcTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return alignedTable(header, rows, 2);
}

/**
 * A table as dvc prints one with `--md` (tabulate's "github" format): the same column widths as
 * formatDvcTable, each cell padded by one space between pipes, a dashed line under the header; it ends with
 * a blank line, as dvc adds the newline a Markdown table needs to its own line end.
 */
export function formatMarkdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length + 2, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return `${[line(header), rule, ...rows.map(line)].join("\n")}\n\n`;
}

function alignedTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  headerPadding: number,
): string {
  const widths = header.map((h, i) =>
    Math.max(h.length + headerPadding, ...rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  process.stdout.write(`${formatTable(header, rows)}\n`);
}

export function formatTime(ms: number | undefined): string {
  return ms === undefined ? "" : new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}
