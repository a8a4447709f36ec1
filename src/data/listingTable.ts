/**
 * `ls --size` and `--show-hash` as dvc prints them (`show_entries`: tabulate's plain table): the size column
 * right-aligned, empty for a directory without one, a missing hash as "-", columns two spaces apart.
 */
import { naturalSize } from "./diskUsage.js";
import type { ListedEntry } from "./listTracked.js";

export function formatListing(
  entries: readonly ListedEntry[],
  columns: { size?: boolean; hash?: boolean },
): string {
  const rows = entries.map((entry) => {
    const row: string[] = [];
    if (columns.size === true) {
      const size = entry.size;
      row.push(size === null || (size <= 0 && entry.isdir) ? "" : naturalSize(size));
    }
    if (columns.hash === true) row.push(entry.md5 ?? "-");
    row.push(entry.path);
    return row;
  });
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === 0 && columns.size === true ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
