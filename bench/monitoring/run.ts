/**
 * The monitoring benchmark (issue 7): flowops' drift report beside Evidently's DataDriftPreset on the same
 * data, and the time from a shift in live traffic to the drift alert.
 *
 *   npm run bench:monitoring -- [--rows 1000000] [--columns 20] [--shifted 10] [--repeats 5]
 *                                [--evidently-repeats 1] [--rps 100] [--trials 3] [--skip-evidently] [--skip-live]
 *                                [--cli-repeats 3]
 *
 * Data: seeded normals written once to a temp dir as raw float64 files (driftData.ts), which both sides read
 * into memory before any timing starts. flowops runs from an esbuild bundle of driftTiming.ts (worker threads
 * then start as plain JavaScript; under tsx each would first load the TypeScript loader). Evidently runs from
 * bench/monitoring/.venv, created here from requirements.txt on first use. Timings are medians of the
 * repeats; the machine's load average is printed with them, since the figures mean little without it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { build } from "esbuild";

import { writeDriftData } from "./driftData.js";
import { measureShiftToAlert } from "./shiftToAlert.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const venv = join(here, ".venv");
const python = join(venv, "bin", "python");

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    columns: { type: "string", default: "20" },
    shifted: { type: "string", default: "10" },
    repeats: { type: "string", default: "5" },
    "evidently-repeats": { type: "string", default: "1" },
    rps: { type: "string", default: "100" },
    trials: { type: "string", default: "3" },
    "skip-evidently": { type: "boolean", default: false },
    "skip-live": { type: "boolean", default: false },
    "cli-repeats": { type: "string", default: "3" },
  },
});

interface FlowopsTiming {
  threads: number;
  readSeconds: number;
  singleSeconds: number[];
  parallelSeconds: number[];
  endToEndSeconds: number;
  drifted: number;
  datasetDrift: boolean;
  method: string;
}

interface EvidentlyTiming {
  seconds: number[];
  readSeconds: number;
  drifted_columns?: number;
  share?: number;
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

function ensureVenv(): void {
  if (existsSync(python)) return;
  console.log(`creating ${venv} (first use; pip installs requirements.txt)`);
  for (const [command, args] of [
    ["python3", ["-m", "venv", venv]],
    [join(venv, "bin", "pip"), ["install", "-q", "-r", join(here, "requirements.txt")]],
  ] as const) {
    const result = spawnSync(command, args, { stdio: "inherit" });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
  }
}

/** driftTiming.ts and the drift worker as one bundle, the worker an entry of its own beside the chunks. */
async function bundleFlowops(outdir: string): Promise<string> {
  await build({
    entryPoints: {
      driftTiming: join(here, "driftTiming.ts"),
      driftWorker: join(root, "src/monitoring/drift/driftWorker.ts"),
    },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir,
    external: ["tsx", "tsx/*"],
    logLevel: "warning",
  });
  return join(outdir, "driftTiming.js");
}

function runJson<T>(command: string, args: readonly string[]): T {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  const lines = result.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as T;
}

async function compareWithEvidently(base: string): Promise<void> {
  const rows = Number(values.rows);
  const columns = Number(values.columns);
  const dataDir = join(base, "data");
  await mkdir(dataDir);
  writeDriftData(dataDir, rows, columns, Number(values.shifted));
  const script = await bundleFlowops(join(base, "bundle"));
  console.log(`\n## Drift report: ${rows} reference + ${rows} current rows x ${columns} numeric features`);
  console.log(`load average before flowops: ${load()}`);
  const ours = runJson<FlowopsTiming>(process.execPath, [script, dataDir, values.repeats!]);
  const loadAfterOurs = load();
  const single = median(ours.singleSeconds);
  const parallel = median(ours.parallelSeconds);
  let evidently: EvidentlyTiming | undefined;
  if (!values["skip-evidently"]) {
    ensureVenv();
    console.log(`load average before Evidently: ${load()}`);
    evidently = runJson<EvidentlyTiming>(python, [
      join(here, "evidently_drift.py"),
      dataDir,
      "--repeats",
      values["evidently-repeats"]!,
    ]);
  }
  const theirs = evidently === undefined ? undefined : median(evidently.seconds);
  console.log("| tool | seconds (median) | vs Evidently |");
  console.log("|---|---|---|");
  const ratio = (ours: number): string =>
    theirs === undefined ? "-" : `${(theirs / ours).toFixed(1)}x faster`;
  console.log(`| flowops detectDrift (1 thread) | ${single.toFixed(3)} | ${ratio(single)} |`);
  console.log(
    `| flowops detectDriftInParallel (${ours.threads} threads) | ${parallel.toFixed(3)} | ${ratio(parallel)} |`,
  );
  if (evidently !== undefined && theirs !== undefined) {
    console.log(`| Evidently DataDriftPreset (pandas, in memory) | ${theirs.toFixed(3)} | 1x |`);
  }
  console.log(
    `flowops: method ${ours.method}, drifted ${ours.drifted}/${columns}, dataset drift ${ours.datasetDrift}; ` +
      `end to end from files ${ours.endToEndSeconds.toFixed(3)} s (reading ${ours.readSeconds.toFixed(3)} s); ` +
      `runs ${ours.singleSeconds.map((s) => s.toFixed(3)).join(", ")} / ${ours.parallelSeconds.map((s) => s.toFixed(3)).join(", ")}; load after: ${loadAfterOurs}`,
  );
  if (evidently !== undefined) {
    console.log(
      `Evidently: drifted ${evidently.drifted_columns ?? "?"}/${columns} (share ${evidently.share ?? "?"}); ` +
        `reading into pandas ${evidently.readSeconds.toFixed(3)} s; runs ${evidently.seconds.map((s) => s.toFixed(2)).join(", ")}; ` +
        `load after: ${load()}`,
    );
  }
  timeDriftCommand(dataDir);
}

/**
 * `flowops drift` on Parquet copies of the data, each run a fresh process of the built CLI, timed as it is
 * (this VM sets NODE_EXTRA_CA_CERTS, ~85 ms of every Node start) and with that variable unset, interleaved.
 */
function timeDriftCommand(dataDir: string): void {
  const repeats = Number(values["cli-repeats"]);
  if (repeats <= 0) return;
  const bin = join(root, "bin", "flowops.js");
  if (!existsSync(join(root, "dist", "bundle", "main.js"))) {
    console.log("\n(flowops drift from files skipped: run `npm run build` first)");
    return;
  }
  const written = spawnSync(
    process.execPath,
    ["--import", "tsx", join(here, "writeDriftParquet.ts"), dataDir],
    {
      stdio: "inherit",
    },
  );
  if (written.status !== 0) throw new Error(`writeDriftParquet.ts exited ${written.status}`);
  const args = [
    bin,
    "drift",
    "--reference",
    join(dataDir, "reference.parquet"),
    "--current",
    join(dataDir, "current.parquet"),
    "--json",
  ];
  const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...withoutCaCerts } = process.env;
  const timings: Record<"asIs" | "unset", number[]> = { asIs: [], unset: [] };
  let drifted = 0;
  for (let round = 0; round < repeats; round++) {
    for (const variant of ["asIs", "unset"] as const) {
      if (variant === "unset" && extraCaCerts === undefined) continue;
      const started = performance.now();
      const result = spawnSync(process.execPath, args, {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: variant === "asIs" ? process.env : withoutCaCerts,
      });
      timings[variant].push((performance.now() - started) / 1000);
      // Exit 1 is "dataset drift", which this data has.
      if (result.status !== 1) throw new Error(`flowops drift exited ${result.status}:\n${result.stderr}`);
      drifted = (JSON.parse(result.stdout) as { driftedColumns: number }).driftedColumns;
    }
  }
  const describe = (xs: readonly number[]): string =>
    `median ${median(xs).toFixed(3)} s (${xs.map((x) => x.toFixed(2)).join(", ")})`;
  console.log(
    `\n## flowops drift, a fresh process reading both sides from Parquet (${drifted} columns drifted)`,
  );
  console.log(`as this machine starts Node: ${describe(timings.asIs)}`);
  if (timings.unset.length > 0) console.log(`NODE_EXTRA_CA_CERTS unset: ${describe(timings.unset)}`);
  console.log(`load after: ${load()}`);
}

async function liveShiftToAlert(): Promise<void> {
  const rps = Number(values.rps);
  console.log(`\n## Shift to alert: ${rps} requests/s, default monitor settings, ${values.trials} trials`);
  console.log(`load average before: ${load()}`);
  const result = await measureShiftToAlert(rps, Number(values.trials));
  console.log(
    `shift to first stored report with dataset drift: median ${median(result.seconds).toFixed(1)} s ` +
      `(trials ${result.seconds.map((s) => s.toFixed(1)).join(", ")}); requests sent ${result.sent}, ` +
      `failed ${result.failed}; load after: ${load()}`,
  );
}

async function main(): Promise<void> {
  console.log(`${availableParallelism()} cores; node ${process.version}; load average ${load()}`);
  const base = await mkdtemp(join(tmpdir(), "flowops-bench-monitoring-"));
  try {
    await compareWithEvidently(base);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  if (!values["skip-live"]) await liveShiftToAlert();
}

await main();
