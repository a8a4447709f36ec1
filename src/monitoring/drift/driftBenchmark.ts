/**
 * Times detectDrift and detectDriftInParallel on 1 million reference + 1 million current rows x 20 numeric
 * features (seeded normals, 5 features shifted), the size the monitoring issue sets a 1 s target for.
 * Run: node --import tsx src/monitoring/drift/driftBenchmark.ts [rows] [columns]
 */

import { cpuUsage } from "node:process";

import { detectDrift, type DriftTable } from "./datasetDrift.js";
import { detectDriftInParallel } from "./parallelDrift.js";

function seededNormals(seed: number, n: number, shift: number): Float64Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = shift + Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return values;
}

function table(seed: number, rows: number, columns: number, shift: number): DriftTable {
  return Array.from({ length: columns }, (_, c) => ({
    name: `f${c}`,
    values: seededNormals(seed * 1000 + c, rows, c < 5 ? shift : 0),
  }));
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const columns = Number(process.argv[3] ?? 20);
  const reference = table(1, rows, columns, 0);
  const current = table(2, rows, columns, 0.5);
  for (let round = 0; round < 3; round++) {
    let cpu = cpuUsage();
    let start = performance.now();
    const report = detectDrift(reference, current);
    const syncMs = performance.now() - start;
    const syncCpu = cpuUsage(cpu).user / 1000;
    cpu = cpuUsage();
    start = performance.now();
    const parallel = await detectDriftInParallel(reference, current);
    const parallelMs = performance.now() - start;
    const parallelCpu = cpuUsage(cpu).user / 1000;
    console.log(
      `${rows} + ${rows} rows x ${columns}: detectDrift ${syncMs.toFixed(0)} ms (cpu ${syncCpu.toFixed(0)} ms), ` +
        `detectDriftInParallel ${parallelMs.toFixed(0)} ms (cpu all threads ${parallelCpu.toFixed(0)} ms); ` +
        `drifted ${report.driftedColumns}/${columns} (${parallel.driftedColumns}), method ${report.columns[0]?.method}`,
    );
  }
}

await main();
