/**
 * CSV reading micro-benchmark: generates a CSV (default 1M rows: an id, a 0/1 label, a probability and a
 * category) in a temp dir and reads three numeric columns through openTable + numericColumn, printing rows/s.
 * Not a test: nothing here asserts on time. CPU seconds are printed beside wall time because on a shared,
 * loaded machine wall time mostly measures the other processes.
 *
 *   node --import tsx bench/quality/csvRead.ts [--rows 1000000] [--repeats 3]
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { numericColumn } from "../../src/tables/numericColumn.js";
import { openTable } from "../../src/tables/openTable.js";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, repeats: { type: "string", default: "3" } },
});
const rows = Number(values.rows);
const repeats = Number(values.repeats);

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write("id,y_true,y_score,segment\n");
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let batch: string[] = [];
  for (let row = 0; row < rows; row++) {
    const score = random();
    batch.push(`${row},${score + random() * 0.5 > 0.75 ? 1 : 0},${score.toFixed(6)},${"abc"[row % 3]}`);
    if (batch.length === 10_000) {
      if (!out.write(batch.join("\n") + "\n"))
        await new Promise<void>((done) => out.once("drain", () => done()));
      batch = [];
    }
  }
  if (batch.length > 0) out.write(batch.join("\n") + "\n");
  await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
}

async function readOnce(
  path: string,
): Promise<{ seconds: number; cpuSeconds: number; checksum: number; count: number }> {
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  let checksum = 0;
  let count = 0;
  const source = openTable(path, { columns: ["id", "y_true", "y_score"] });
  for await (const chunk of source.chunks()) {
    for (const name of ["id", "y_true", "y_score"]) {
      const column = numericColumn(chunk, name);
      for (let i = 0; i < column.length; i++) checksum += column[i] as number;
    }
    count += chunk.rowCount;
  }
  const cpu = process.cpuUsage(cpuStarted);
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    checksum,
    count,
  };
}

const dir = await mkdtemp(join(tmpdir(), "flowops-csv-bench-"));
try {
  const path = join(dir, "predictions.csv");
  await writeCsv(path);
  const { size } = await stat(path);
  console.log(`${rows} rows, ${(size / 2 ** 20).toFixed(1)} MiB: reading id, y_true, y_score as numbers`);
  const times: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    const { seconds, cpuSeconds, count } = await readOnce(path);
    if (count !== rows) throw new Error(`read ${count} rows, expected ${rows}`);
    times.push(seconds);
    console.log(
      `  run ${repeat + 1}: ${seconds.toFixed(3)} s wall, ${Math.round(rows / seconds).toLocaleString("en")} rows/s; ` +
        `${cpuSeconds.toFixed(3)} s CPU (all threads, GC included), ` +
        `${Math.round(rows / cpuSeconds).toLocaleString("en")} rows per CPU-second`,
    );
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
  console.log(`median: ${Math.round(rows / median).toLocaleString("en")} rows/s (wall)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
