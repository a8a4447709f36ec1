/**
 * Quality benchmark: `flowops evaluate` against scikit-learn and `flowops validate` against Great
 * Expectations, side by side on the same generated CSVs on this machine, printing median wall time, peak
 * RSS and the ratios, and checking that both sides agree on the headline numbers. Not a test: nothing here
 * asserts on time.
 *
 *   npm run build && npm run bench:quality -- [--eval-rows 10000000] [--validate-rows 1000000]
 *                                             [--classes 3] [--repeats 3] [--only evaluate|validate]
 *                                             [--skip-string-labels] [--python bench/quality/.venv/bin/python]
 *
 * scikit-learn runs twice: on the string labels as pandas reads them (np.unique sorts Python strings many
 * times over, which dominates its time), and with the labels mapped to integer codes first, the way a user
 * who noticed would call it. The ratio against the faster of the two is the one to quote.
 *
 * The anchors run from bench/quality/.venv (python3 -m venv bench/quality/.venv &&
 * bench/quality/.venv/bin/pip install -r bench/quality/requirements.txt). Data is written once to a temp
 * dir and removed afterwards (--keep keeps it); every tool reads the same file, warm in the page cache.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { measure, type Measurement } from "./measuredProcess.js";
import { predictionsLayout, writePredictionsCsv } from "./predictionsData.js";
import { RECORD_SUITE, writeRecordsCsv, writeRecordsSuite } from "./recordsData.js";

const { values } = parseArgs({
  options: {
    "eval-rows": { type: "string", default: "10000000" },
    "validate-rows": { type: "string", default: "1000000" },
    classes: { type: "string", default: "3" },
    repeats: { type: "string", default: "3" },
    python: { type: "string", default: process.env.FLOWOPS_BENCH_PYTHON ?? "bench/quality/.venv/bin/python" },
    only: { type: "string" },
    "skip-string-labels": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const evalRows = Number(values["eval-rows"]);
const validateRows = Number(values["validate-rows"]);
const classes = Number(values.classes) === 2 ? 2 : 3;
const repeats = Number(values.repeats);
const python = resolve(values.python);
const flowopsBin = resolve("bin/flowops.js");
const MiB = 1024 * 1024;

interface Side {
  tool: string;
  runs: Measurement[];
}

interface Comparison {
  workload: string;
  ours: Side;
  anchors: Side[];
}

type Anchor = { tool: string; command: string; args: string[] };

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function loadAverage(): Promise<string> {
  return readFile("/proc/loadavg", "utf8").then(
    (text) => text.split(" ").slice(0, 3).join(" "),
    () => "unknown",
  );
}

function timed(side: Side, workload: string, command: string, args: string[], scratch: string): void {
  const run = measure(command, args, scratch);
  side.runs.push(run);
  console.log(`[${side.tool}] ${workload}: ${run.seconds.toFixed(2)} s, ${run.peakRssMiB.toFixed(0)} MiB`);
}

/** Runs every tool `repeats` times, alternating, so a burst of load on the shared machine hits all of them. */
function compare(workload: string, ourArgs: string[], anchors: Anchor[], scratch: string): Comparison {
  const result: Comparison = {
    workload,
    ours: { tool: "flowops", runs: [] },
    anchors: anchors.map((anchor) => ({ tool: anchor.tool, runs: [] })),
  };
  for (let i = 0; i < repeats; i++) {
    timed(result.ours, workload, process.execPath, [flowopsBin, ...ourArgs], scratch);
    anchors.forEach((anchor, j) => timed(result.anchors[j]!, workload, anchor.command, anchor.args, scratch));
  }
  return result;
}

/** The metric lines of `flowops evaluate`'s text report ("  name  value"). */
function ourMetrics(stdout: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const line of stdout.split("\n")) {
    const match = /^ {2}([a-z0-9_]+) +(\S+)$/.exec(line);
    if (match !== null) metrics[match[1]!] = Number(match[2]);
  }
  return metrics;
}

function checkEvaluationAgreement(comparison: Comparison): void {
  for (const anchor of comparison.anchors) checkMetricsAgree(comparison.ours, anchor);
}

function checkMetricsAgree(ours: Side, anchor: Side): void {
  const mine = ourMetrics(ours.runs[0]!.stdout);
  const theirs = JSON.parse(anchor.runs[0]!.stdout) as Record<string, unknown>;
  const headline = [
    "accuracy",
    "f1_macro",
    "balanced_accuracy",
    "precision_weighted",
    "recall_micro",
    "log_loss",
  ];
  headline.push(...(classes === 2 ? ["roc_auc", "f1"] : ["roc_auc_ovr_macro", "roc_auc_ovr_weighted"]));
  const differences: string[] = [];
  for (const name of headline) {
    const a = mine[name];
    const b = theirs[name];
    if (
      typeof a !== "number" ||
      typeof b !== "number" ||
      !(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)))
    ) {
      differences.push(`${name}: flowops ${a}, ${anchor.tool} ${String(b)}`);
    }
  }
  if (differences.length > 0)
    console.log(`WARNING: flowops and ${anchor.tool} differ:\n  ${differences.join("\n  ")}`);
  else
    console.log(
      `flowops and ${anchor.tool} agree (within 1e-9): ${headline.map((n) => `${n} ${mine[n]!.toFixed(6)}`).join(", ")}`,
    );
}

interface GxVerdicts {
  unsuccessful: number;
  results: Array<{ type: string; column: string | null; success: boolean; exception: string | null }>;
}

interface OurVerdicts {
  statistics: { unsuccessful_expectations: number };
  results: Array<{ success: boolean; expectation_config: { type: string } }>;
}

function checkValidationAgreement(comparison: Comparison): void {
  const mine = JSON.parse(comparison.ours.runs[0]!.stdout) as OurVerdicts;
  const theirs = JSON.parse(comparison.anchors[0]!.runs[0]!.stdout) as GxVerdicts;
  const problems: string[] = [];
  if (mine.statistics.unsuccessful_expectations !== theirs.unsuccessful) {
    problems.push(
      `failed expectations: flowops ${mine.statistics.unsuccessful_expectations}, GX ${theirs.unsuccessful}`,
    );
  }
  RECORD_SUITE.forEach(([type, kwargs], i) => {
    const ours = mine.results[i];
    const gx = theirs.results[i];
    if (ours === undefined || gx === undefined || gx.type !== type || ours.expectation_config.type !== type) {
      problems.push(`expectation ${i} (${type}) is missing or out of order in a result`);
    } else if (ours.success !== gx.success) {
      const column = typeof kwargs["column"] === "string" ? ` on ${kwargs["column"]}` : "";
      problems.push(
        `expectation ${i} (${type}${column}): flowops ${ours.success ? "passes" : "fails"}, ` +
          `GX ${gx.success ? "passes" : "fails"}${gx.exception !== null ? ` (GX raised: ${gx.exception})` : ""}`,
      );
    }
  });
  if (problems.length > 0) console.log(`WARNING: validation results differ:\n  ${problems.join("\n  ")}`);
  else
    console.log(
      `agree: ${RECORD_SUITE.length} expectations, ${theirs.unsuccessful} failed on both sides, same verdict on each`,
    );
}

function printTable(comparisons: Comparison[]): void {
  console.log(
    "\n| workload | tool | median s | peak RSS MiB | time ratio (anchor / flowops) | RSS ratio (anchor / flowops) |",
  );
  console.log("|---|---|---:|---:|---:|---:|");
  for (const { workload, ours, anchors } of comparisons) {
    const ourSeconds = median(ours.runs.map((r) => r.seconds));
    const ourRss = Math.max(...ours.runs.map((r) => r.peakRssMiB));
    console.log(`| ${workload} | ${ours.tool} | ${ourSeconds.toFixed(2)} | ${ourRss.toFixed(0)} | | |`);
    for (const anchor of anchors) {
      const anchorSeconds = median(anchor.runs.map((r) => r.seconds));
      const anchorRss = Math.max(...anchor.runs.map((r) => r.peakRssMiB));
      console.log(
        `| ${workload} | ${anchor.tool} | ${anchorSeconds.toFixed(2)} | ${anchorRss.toFixed(0)} | ` +
          `${(anchorSeconds / ourSeconds).toFixed(2)}x | ${(anchorRss / ourRss).toFixed(2)}x |`,
      );
    }
  }
}

async function main(): Promise<void> {
  for (const [path, hint] of [
    [flowopsBin, "npm run build"],
    [
      python,
      "python3 -m venv bench/quality/.venv && bench/quality/.venv/bin/pip install -r bench/quality/requirements.txt",
    ],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${path} is missing (${hint})`);
  }
  const base = await mkdtemp(join(tmpdir(), "flowops-bench-quality-"));
  const comparisons: Comparison[] = [];
  try {
    console.log(
      `${availableParallelism()} cores; load average before: ${await loadAverage()}; node ${process.version}; ` +
        `repeats ${repeats} (median time, max RSS)`,
    );
    if (values.only !== "validate") {
      const path = join(base, "predictions.csv");
      const { scoreColumns } = predictionsLayout(classes);
      console.log(`generating ${evalRows} predictions (${classes} classes)`);
      await writePredictionsCsv(path, evalRows, classes);
      console.log(`  ${((await stat(path)).size / MiB).toFixed(0)} MiB`);
      const scoreArg = scoreColumns.join(",");
      const workload = `evaluate ${evalRows.toLocaleString("en")} predictions`;
      const sklearn = [join(here, "sklearn_evaluate.py"), path, "--y-score", scoreArg];
      const anchors: Anchor[] = [
        { tool: "scikit-learn (integer-coded labels)", command: python, args: [...sklearn, "--label-codes"] },
      ];
      if (!values["skip-string-labels"]) {
        anchors.push({ tool: "scikit-learn (string labels as read)", command: python, args: sklearn });
      }
      const comparison = compare(
        workload,
        [
          ...["evaluate", "--data", path, "--task", "classification"],
          ...["--y-true", "y_true", "--y-pred", "y_pred", "--y-score", scoreArg],
        ],
        anchors,
        base,
      );
      checkEvaluationAgreement(comparison);
      comparisons.push(comparison);
      await rm(path);
    }
    if (values.only !== "evaluate") {
      const path = join(base, "records.csv");
      const suite = join(base, "suite.yaml");
      console.log(`generating ${validateRows} records (${RECORD_SUITE.length} expectations)`);
      await writeRecordsCsv(path, validateRows);
      await writeRecordsSuite(suite);
      console.log(`  ${((await stat(path)).size / MiB).toFixed(0)} MiB`);
      const workload = `validate ${validateRows.toLocaleString("en")} rows, ${RECORD_SUITE.length} expectations`;
      const comparison = compare(
        workload,
        ["validate", path, "--suite", suite, "--json"],
        [{ tool: "great_expectations", command: python, args: [join(here, "gx_validate.py"), path] }],
        base,
      );
      checkValidationAgreement(comparison);
      comparisons.push(comparison);
    }
    printTable(comparisons);
    console.log(`\nload average after: ${await loadAverage()}`);
  } finally {
    if (!values.keep) await rm(base, { recursive: true, force: true });
    else console.log(`kept ${base}`);
  }
}

await main();
