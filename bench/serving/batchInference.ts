/**
 * The batch half of the serving benchmark: `flowops predict` on the ONNX export over a generated CSV, and over
 * the same rows as Parquet (FLOAT columns, Parquet out), against onnxruntime-node's own session over the same
 * rows already in memory (ortBatch.ts) and, for reference, onnxruntime's Python session (ort_batch.py), in
 * memory and end to end with pandas reading and writing the CSVs (the same work flowops does, done the way a
 * Python user would), and end to end on the Parquet file with pyarrow reading and writing it
 * (ort_batch_parquet.py), and on the same rows as JSON Lines, flowops against pandas' read_json and to_json
 * (ort_batch.py again). Each side runs `repeats` times, alternating; rows per second are medians. flowops and
 * the pyarrow anchor are timed as whole processes, as a user sees them (process start, file in, file out); the
 * other anchors time their run() loops (or, for pandas, their read-score-write) only. After the runs it prints
 * each flowops format's median as a share of the in-memory onnxruntime-node loop measured in the same run, and
 * flowops on Parquet against the pyarrow anchor, with the load average (the machine may be shared).
 */
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { featureMatrix, writeFeatureJsonLines } from "./featureRows.js";

export interface BatchSide {
  tool: string;
  rowsPerSecond: number[];
}

export interface BatchSettings {
  onnxDir: string;
  onnxFile: string;
  inputName: string;
  csv: string;
  outputCsv: string;
  rows: number;
  features: number;
  batchSize: number;
  repeats: number;
  python: string | undefined;
}

const REPO = resolve(import.meta.dirname, "../..");

function mustRun(command: string, args: string[]): { stdout: string; seconds: number } {
  const started = performance.now();
  const run = spawnSync(command, args, { encoding: "utf8", cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
  }
  return { stdout: run.stdout, seconds };
}

/** The benchmark rows as Parquet: one non-null FLOAT column per feature, f0..fN-1, as in the CSV. */
function writeFeatureParquet(path: string, rows: number, features: number): void {
  const matrix = featureMatrix(rows, features);
  const columnData = Array.from({ length: features }, (_, j) => {
    const data = new Float32Array(rows);
    for (let r = 0; r < rows; r++) data[r] = matrix[r * features + j] as number;
    return { name: `f${j}`, data, type: "FLOAT" as const, nullable: false };
  });
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 65_536 })));
}

function flowopsPredict(settings: BatchSettings, input: string, output: string): number {
  rmSync(output, { force: true });
  rmSync(`${output}.parts`, { recursive: true, force: true });
  const { seconds } = mustRun(process.execPath, [
    ...[resolve(REPO, "bin/flowops.js"), "predict", settings.onnxDir],
    ...["--input", input, "--output", output],
    ...["--batch-size", String(settings.batchSize), "--json"],
  ]);
  return settings.rows / seconds;
}

function ortNode(settings: BatchSettings): number {
  const { stdout } = mustRun(process.execPath, [
    ...["--import", "tsx", resolve(import.meta.dirname, "ortBatch.ts"), settings.onnxFile],
    ...["--rows", String(settings.rows), "--features", String(settings.features)],
    ...["--batch-size", String(settings.batchSize), "--input", settings.inputName],
  ]);
  return (JSON.parse(stdout) as { rowsPerSecond: number }).rowsPerSecond;
}

/** onnxruntime's Python session over `input` (CSV or JSON Lines), in memory or, with `output`, end to end. */
function ortPython(settings: BatchSettings, python: string, input: string, output?: string): number {
  const { stdout } = mustRun(python, [
    ...[resolve(import.meta.dirname, "ort_batch.py"), settings.onnxFile, input],
    ...["--batch-size", String(settings.batchSize)],
    ...(output !== undefined ? ["--output", output] : []),
  ]);
  return (JSON.parse(stdout) as { rowsPerSecond: number }).rowsPerSecond;
}

/** pyarrow in, onnxruntime in batches, pyarrow out, timed as one process as flowopsPredict times flowops. */
function ortPythonParquet(settings: BatchSettings, python: string, input: string, output: string): number {
  rmSync(output, { force: true });
  const { seconds, stdout } = mustRun(python, [
    ...[resolve(import.meta.dirname, "ort_batch_parquet.py"), settings.onnxFile, input, output],
    ...["--batch-size", String(settings.batchSize)],
  ]);
  const phases = JSON.parse(stdout.trim().split("\n").pop()!) as {
    readSeconds: number;
    runSeconds: number;
    writeSeconds: number;
  };
  const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`;
  console.log(
    `[pyarrow phases] read ${ms(phases.readSeconds)}, onnxruntime ${ms(phases.runSeconds)}, ` +
      `write ${ms(phases.writeSeconds)}, whole process ${ms(seconds)}`,
  );
  return settings.rows / seconds;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * The first side is flowops on CSV and the second the onnxruntime-node loop (run.ts reads them by position);
 * flowops on Parquet comes last.
 */
export async function compareBatch(settings: BatchSettings): Promise<BatchSide[]> {
  const parquet = settings.csv.replace(/\.csv$/, "") + ".parquet";
  const outputParquet = settings.outputCsv.replace(/\.csv$/, "") + ".parquet";
  const jsonLines = settings.csv.replace(/\.csv$/, "") + ".jsonl";
  const outputJsonLines = settings.outputCsv.replace(/\.csv$/, "") + ".jsonl";
  writeFeatureParquet(parquet, settings.rows, settings.features);
  await writeFeatureJsonLines(jsonLines, settings.rows, settings.features);
  const loadBefore = loadavg();
  const sides: Array<BatchSide & { run: () => number }> = [
    {
      tool: "flowops predict (CSV in, CSV out)",
      rowsPerSecond: [],
      run: () => flowopsPredict(settings, settings.csv, settings.outputCsv),
    },
    { tool: "onnxruntime-node session (in memory)", rowsPerSecond: [], run: () => ortNode(settings) },
  ];
  const python = settings.python;
  if (python !== undefined) {
    sides.push({
      tool: "onnxruntime Python session (in memory)",
      rowsPerSecond: [],
      run: () => ortPython(settings, python, settings.csv),
    });
    sides.push({
      tool: "pandas CSV in + onnxruntime Python + pandas CSV out",
      rowsPerSecond: [],
      run: () => ortPython(settings, python, settings.csv, settings.outputCsv),
    });
    sides.push({
      tool: "pandas JSON Lines in + onnxruntime Python + pandas JSON Lines out",
      rowsPerSecond: [],
      run: () => ortPython(settings, python, jsonLines, outputJsonLines),
    });
    sides.push({
      tool: "pyarrow Parquet in + onnxruntime Python + pyarrow Parquet out",
      rowsPerSecond: [],
      run: () => ortPythonParquet(settings, python, parquet, outputParquet),
    });
  }
  sides.push({
    tool: "flowops predict (JSON Lines in, JSON Lines out)",
    rowsPerSecond: [],
    run: () => flowopsPredict(settings, jsonLines, outputJsonLines),
  });
  sides.push({
    tool: "flowops predict (Parquet in, Parquet out)",
    rowsPerSecond: [],
    run: () => flowopsPredict(settings, parquet, outputParquet),
  });
  for (let i = 0; i < settings.repeats; i++) {
    for (const side of sides) {
      const rate = side.run();
      side.rowsPerSecond.push(rate);
      console.log(`[${side.tool}] ${settings.rows} rows: ${Math.round(rate).toLocaleString("en")} rows/s`);
    }
  }
  rmSync(settings.outputCsv, { force: true });
  rmSync(outputParquet, { force: true });
  rmSync(parquet, { force: true });
  rmSync(outputJsonLines, { force: true });
  rmSync(jsonLines, { force: true });
  const ort = median(sides[1]?.rowsPerSecond ?? []);
  const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(" ");
  console.log(
    `\nflowops predict as a share of the in-memory onnxruntime-node loop measured in this run ` +
      `(${Math.round(ort).toLocaleString("en")} rows/s); load average ${load(loadBefore)} before, ${load(loadavg())} after:`,
  );
  for (const side of sides.filter((s) => s.tool.startsWith("flowops"))) {
    const rate = median(side.rowsPerSecond);
    console.log(
      `  ${side.tool}: ${Math.round(rate).toLocaleString("en")} rows/s = ${((100 * rate) / ort).toFixed(1)} %`,
    );
  }
  const pythonParquet = sides.find((s) => s.tool.startsWith("pyarrow Parquet"));
  const flowopsParquet = sides.find((s) => s.tool.startsWith("flowops predict (Parquet"));
  if (pythonParquet !== undefined && flowopsParquet !== undefined) {
    const ours = median(flowopsParquet.rowsPerSecond);
    const theirs = median(pythonParquet.rowsPerSecond);
    console.log(
      `  ${flowopsParquet.tool} against ${pythonParquet.tool} (both whole processes): ` +
        `${Math.round(ours).toLocaleString("en")} vs ${Math.round(theirs).toLocaleString("en")} rows/s = ` +
        `${((100 * ours) / theirs).toFixed(1)} %`,
    );
  }
  return sides.map(({ tool, rowsPerSecond }) => ({ tool, rowsPerSecond }));
}
