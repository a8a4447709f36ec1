/** Column names given as one comma-separated option value (`--columns a,b`); blank names are dropped. */
export function columnList(value: string): string[] {
  return value
    .split(",")
    .map((column) => column.trim())
    .filter((column) => column !== "");
}
