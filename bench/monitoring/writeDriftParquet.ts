/**
 * The drift benchmark's data as two Parquet files (reference.parquet, current.parquet) beside the raw ones,
 * written by FlowOps' own table writer (OPTIONAL DOUBLE columns, as pandas writes a float column), for timing
 * `flowops drift` as a user runs it: a fresh process that reads both files. Run in a process of its own so the
 * timing process stays small (see bench/data/generateInputs.ts).
 *
 *   node --import tsx bench/monitoring/writeDriftParquet.ts DATA_DIR
 */
import { join } from "node:path";

import { openTableWriter } from "../../src/tables/openTableWriter.js";
import { readDriftLayout, readDriftSide, type DriftSide } from "./driftData.js";

/** Rows per write: one row group each, as a batch job would write them. */
const ROW_GROUP_ROWS = 1 << 17;

const [dir] = process.argv.slice(2);
if (dir === undefined) throw new Error("usage: writeDriftParquet.ts DATA_DIR");
const layout = readDriftLayout(dir);
for (const side of ["reference", "current"] as const satisfies readonly DriftSide[]) {
  const table = readDriftSide(dir, side, layout);
  const rows = table[0]?.values.length ?? 0;
  const writer = openTableWriter(join(dir, `${side}.parquet`), "parquet", layout.names);
  for (let start = 0; start < rows; start += ROW_GROUP_ROWS) {
    const end = Math.min(rows, start + ROW_GROUP_ROWS);
    await writer.write(
      Object.fromEntries(
        table.map((column) => [column.name, (column.values as Float64Array).subarray(start, end)]),
      ),
    );
  }
  await writer.close();
}
