/**
 * flowops' side of the drift comparison, run by bench/monitoring/run.ts as a bundled JavaScript file so that
 * worker threads start as plain Node modules (no TypeScript loader). Times detectDrift in the calling thread
 * and detectDriftInParallel over every core on data already in memory, then once end to end (reading the
 * files included). Prints one JSON line.
 *
 *   node driftTiming.js DATA_DIR REPEATS
 */
import { availableParallelism } from "node:os";

import { detectDrift } from "../../src/monitoring/drift/datasetDrift.js";
import { detectDriftInParallel } from "../../src/monitoring/drift/parallelDrift.js";
import { readDriftLayout, readDriftSide } from "./driftData.js";

const [dir, repeatsArgument] = process.argv.slice(2);
if (dir === undefined) throw new Error("usage: driftTiming.js DATA_DIR [REPEATS]");
const repeats = Number(repeatsArgument ?? 5);

const layout = readDriftLayout(dir);
let started = performance.now();
const reference = readDriftSide(dir, "reference", layout);
const current = readDriftSide(dir, "current", layout);
const readSeconds = (performance.now() - started) / 1000;

const singleSeconds: number[] = [];
const parallelSeconds: number[] = [];
let drifted = 0;
let datasetDrift = false;
for (let round = 0; round < repeats; round++) {
  started = performance.now();
  const report = detectDrift(reference, current);
  singleSeconds.push((performance.now() - started) / 1000);
  started = performance.now();
  const parallel = await detectDriftInParallel(reference, current);
  parallelSeconds.push((performance.now() - started) / 1000);
  if (parallel.driftedColumns !== report.driftedColumns) {
    throw new Error(`parallel report differs: ${parallel.driftedColumns} vs ${report.driftedColumns}`);
  }
  drifted = report.driftedColumns;
  datasetDrift = report.datasetDrift;
}

started = performance.now();
const endToEnd = await detectDriftInParallel(
  readDriftSide(dir, "reference", layout),
  readDriftSide(dir, "current", layout),
);
const endToEndSeconds = (performance.now() - started) / 1000;

process.stdout.write(
  `${JSON.stringify({
    threads: availableParallelism(),
    readSeconds,
    singleSeconds,
    parallelSeconds,
    endToEndSeconds,
    drifted,
    datasetDrift: datasetDrift && endToEnd.datasetDrift,
    method: endToEnd.columns[0]?.method,
  })}\n`,
);
