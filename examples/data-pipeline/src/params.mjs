// Reads the two-level params.yaml of this example without a YAML library (keys `section:` then `  key: number`).
import { readFileSync } from "node:fs";

export function readParams() {
  const params = {};
  let section;
  for (const line of readFileSync("params.yaml", "utf8").split("\n")) {
    const top = /^(\w+):\s*$/.exec(line);
    const nested = /^\s+(\w+):\s*([-\d.eE]+)\s*$/.exec(line);
    if (top) params[(section = top[1])] = {};
    else if (nested && section) params[section][nested[1]] = Number(nested[2]);
  }
  return params;
}

export function readCsv(path) {
  const [header, ...rows] = readFileSync(path, "utf8").trim().split("\n");
  return { header, rows: rows.map((row) => row.split(",").map(Number)) };
}
