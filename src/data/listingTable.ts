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

const EDGE = "├── ";
const LINE = "│   ";
const CORNER = "└── ";
const BLANK = "    ";

/**
 * `ls --tree` as dvc's `show_tree` draws it: the listed path, then each entry under its parent with box-drawing
 * edges; `entries` come from a tree listing (listTracked.ts), the path itself first.
 */
export function formatTree(
  entries: readonly ListedEntry[],
  columns: { size?: boolean; hash?: boolean },
): string {
  const depths = entries.map((entry, i) => (i === 0 ? 0 : entry.path.split("/").length));
  const last = entries.map((_, i) => {
    for (let j = i + 1; j < entries.length; j++) if (depths[j]! <= depths[i]!) return depths[j]! < depths[i]!;
    return true;
  });
  const ancestors: boolean[] = [];
  const named = entries.map((entry, i) => {
    const depth = depths[i]!;
    if (depth === 0) return entry;
    ancestors[depth] = last[i]!;
    const prefix = ancestors
      .slice(1, depth)
      .map((isLast) => (isLast ? BLANK : LINE))
      .join("");
    return { ...entry, path: `${prefix}${last[i] ? CORNER : EDGE}${entry.path.split("/").at(-1)!}` };
  });
  return columns.size === true || columns.hash === true
    ? formatListing(named, columns)
    : named.map((entry) => entry.path).join("\n");
}
