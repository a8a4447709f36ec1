/**
 * The batch half of the serving benchmark: `flowops predict` on the ONNX export over a generated CSV, against
 * onnxruntime-node's own session over the same rows already in memory (ortBatch.ts) and, for reference,
 * onnxruntime's Python session (ort_batch.py), in memory and end to end with pandas reading and writing the
 * CSVs (the same work flowops does, done the way a Python user would). Each side runs `repeats` times, alternating; rows per second
 * are medians. flowops is timed end to end as a user sees it (process start, CSV in, CSV out); the anchors
 * time their run() loops only.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { resolve } from "node:path";

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

function flowopsPredict(settings: BatchSettings): number {
  rmSync(settings.outputCsv, { force: true });
  rmSync(`${settings.outputCsv}.parts`, { recursive: true, force: true });
  const { seconds } = mustRun(process.execPath, [
    ...[resolve(REPO, "bin/flowops.js"), "predict", settings.onnxDir],
    ...["--input", settings.csv, "--output", settings.outputCsv],
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

function ortPython(settings: BatchSettings, python: string, endToEnd: boolean): number {
  const { stdout } = mustRun(python, [
    ...[resolve(import.meta.dirname, "ort_batch.py"), settings.onnxFile, settings.csv],
    ...["--batch-size", String(settings.batchSize)],
    ...(endToEnd ? ["--output", settings.outputCsv] : []),
  ]);
  return (JSON.parse(stdout) as { rowsPerSecond: number }).rowsPerSecond;
}

export function compareBatch(settings: BatchSettings): BatchSide[] {
  const sides: Array<BatchSide & { run: () => number }> = [
    { tool: "flowops predict (CSV in, CSV out)", rowsPerSecond: [], run: () => flowopsPredict(settings) },
    { tool: "onnxruntime-node session (in memory)", rowsPerSecond: [], run: () => ortNode(settings) },
  ];
  const python = settings.python;
  if (python !== undefined) {
    sides.push({
      tool: "onnxruntime Python session (in memory)",
      rowsPerSecond: [],
      run: () => ortPython(settings, python, false),
    });
    sides.push({
      tool: "pandas CSV in + onnxruntime Python + pandas CSV out",
      rowsPerSecond: [],
      run: () => ortPython(settings, python, true),
    });
  }
  for (let i = 0; i < settings.repeats; i++) {
    for (const side of sides) {
      const rate = side.run();
      side.rowsPerSecond.push(rate);
      console.log(`[${side.tool}] ${settings.rows} rows: ${Math.round(rate).toLocaleString("en")} rows/s`);
    }
  }
  rmSync(settings.outputCsv, { force: true });
  return sides.map(({ tool, rowsPerSecond }) => ({ tool, rowsPerSecond }));
}
