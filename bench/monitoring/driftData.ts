/**
 * The drift benchmark's data, written once and read by both sides: `rows` reference and `rows` current rows of
 * `columns` numeric features, seeded normals, the first `shiftedColumns` of the current side moved by half a
 * standard deviation. Each side is one raw little-endian float64 file, column after column (numpy reads it with
 * fromfile, Node into a SharedArrayBuffer without parsing), beside columns.json with the names and row counts.
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

import type { DriftTable } from "../../src/monitoring/drift/datasetDrift.js";
import { mulberry32 as seededRandom } from "../../src/seededRandom.js";

export interface DriftDataLayout {
  readonly names: readonly string[];
  readonly referenceRows: number;
  readonly currentRows: number;
}

export type DriftSide = "reference" | "current";

/** Mean shift of the drifted current columns, in standard deviations. */
const SHIFT = 0.5;

function seededNormals(seed: number, n: number, shift: number): Float64Array {
  const uniform = seededRandom(seed);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = shift + Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return values;
}

export function writeDriftData(
  dir: string,
  rows: number,
  columns: number,
  shiftedColumns: number,
): DriftDataLayout {
  const names = Array.from({ length: columns }, (_, c) => `f${c}`);
  for (const [side, seed] of [
    ["reference", 1],
    ["current", 2],
  ] as const) {
    const fd = openSync(join(dir, `${side}.f64`), "w");
    try {
      for (let c = 0; c < columns; c++) {
        const shift = side === "current" && c < shiftedColumns ? SHIFT : 0;
        const values = seededNormals(seed * 1000 + c, rows, shift);
        writeSync(fd, new Uint8Array(values.buffer));
      }
    } finally {
      closeSync(fd);
    }
  }
  const layout: DriftDataLayout = { names, referenceRows: rows, currentRows: rows };
  writeFileSync(join(dir, "columns.json"), JSON.stringify(layout));
  return layout;
}

export function readDriftLayout(dir: string): DriftDataLayout {
  return JSON.parse(readFileSync(join(dir, "columns.json"), "utf8")) as DriftDataLayout;
}

/** One side as a DriftTable whose columns live on one SharedArrayBuffer, so worker threads get them uncopied. */
export function readDriftSide(dir: string, side: DriftSide, layout: DriftDataLayout): DriftTable {
  const rows = side === "reference" ? layout.referenceRows : layout.currentRows;
  const shared = new SharedArrayBuffer(rows * layout.names.length * 8);
  const bytes = new Uint8Array(shared);
  const fd = openSync(join(dir, `${side}.f64`), "r");
  try {
    let at = 0;
    while (at < bytes.length) {
      const read = readSync(fd, bytes, at, Math.min(1 << 30, bytes.length - at), at);
      if (read === 0) throw new Error(`${side}.f64 in ${dir} ends at byte ${at}, expected ${bytes.length}`);
      at += read;
    }
  } finally {
    closeSync(fd);
  }
  return layout.names.map((name, c) => ({ name, values: new Float64Array(shared, c * rows * 8, rows) }));
}
