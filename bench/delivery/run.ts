/**
 * Delivery benchmark: (1) how long the default canary takes to take a faulty candidate out of traffic at
 * 100 requests per second, against its statistical minimum and the detection time of Argo Rollouts and
 * Flagger computed from their documented defaults; (2) what a 90/10 canary costs per request against
 * the stable version served alone. Prints tables with medians and ratios, then one `summary:` JSON line.
 * Not a test: nothing here asserts on time.
 *
 *   npm run bench:delivery -- [--only rollback|overhead] [--repeats 3] [--rps 100] [--poll-ms 15]
 *        [--kinds errors,slow,flipped] [--fixed-rate 500] [--rates 250,500,...] [--duration-s 10]
 *        [--warmup-s 2] [--server-warmup-s 5] [--connections 64] [--max-p99-ms 50]
 *
 * Rollback: see rollbackTiming.ts (in this process: the traffic is light and its timing is the controller's,
 * not the event loop's). Overhead: see routingOverhead.ts (server and load generator in separate processes).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeHarnessModels } from "../../test/support/deliveryHarness.js";
import { anchorFigures, defaultCanaryMinimum, type StatisticalMinimum } from "./rollbackReference.js";
import { measureRollback, type FaultKind, type RollbackSample } from "./rollbackTiming.js";
import { withinLimit } from "../serving/onlineLoad.js";
import { measureRoutingOverhead, SIDES, type OverheadResult } from "./routingOverhead.js";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    repeats: { type: "string", default: "3" },
    rps: { type: "string", default: "100" },
    "poll-ms": { type: "string", default: "15" },
    kinds: { type: "string", default: "errors,slow,flipped" },
    "fixed-rate": { type: "string", default: "500" },
    rates: { type: "string", default: "250,500,1000,1500,2000,2500,3000,4000,5000,6000,8000" },
    "duration-s": { type: "string", default: "10" },
    "warmup-s": { type: "string", default: "2" },
    "server-warmup-s": { type: "string", default: "5" },
    connections: { type: "string", default: "64" },
    "max-p99-ms": { type: "string", default: "50" },
  },
});
const FAULT_KINDS: readonly FaultKind[] = ["errors", "slow", "flipped"];
const repeats = Number(values.repeats);
const rps = Number(values.rps);
const ROLLBACK_TARGET_S = 10;
const THROUGHPUT_TARGET = 0.05;
const P99_TARGET_MS = 0.2;

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

function faultKinds(): FaultKind[] {
  return values.kinds.split(",").map((kind) => {
    const known = FAULT_KINDS.find((k) => k === kind);
    if (known === undefined) {
      throw new Error(`--kinds: '${kind}' is not one of ${FAULT_KINDS.join(", ")}`);
    }
    return known;
  });
}

interface RollbackRow {
  kind: FaultKind;
  samples: RollbackSample[];
  medianS: number;
  medianDeployS: number;
  medianFailed: number;
}

async function runRollback(): Promise<{ rows: RollbackRow[]; minimum: StatisticalMinimum }> {
  const dir = await mkdtemp(join(tmpdir(), "flowops-bench-rollback-"));
  try {
    const models = await writeHarnessModels(join(dir, "models"));
    const kinds = faultKinds();
    const samples = new Map<FaultKind, RollbackSample[]>(kinds.map((kind) => [kind, []]));
    for (let r = 0; r < repeats; r++) {
      for (const kind of kinds) {
        const sample = await measureRollback(kind, models, dir, r, {
          rps,
          pollMs: Number(values["poll-ms"]),
        });
        samples.get(kind)!.push(sample);
        console.log(
          `[rollback ${kind} #${r + 1}] fault to 0 % in ${(sample.faultToZeroMs / 1000).toFixed(2)} s ` +
            `(deploy to 0 %: ${(sample.deployToZeroMs / 1000).toFixed(2)} s); ${sample.failed} of ` +
            `${sample.sent} requests failed; ${sample.abortedReason ?? "no reason given"}`,
        );
      }
    }
    const rows = kinds.map((kind) => {
      const runs = samples.get(kind)!;
      return {
        kind,
        samples: runs,
        medianS: median(runs.map((s) => s.faultToZeroMs)) / 1000,
        medianDeployS: median(runs.map((s) => s.deployToZeroMs)) / 1000,
        medianFailed: median(runs.map((s) => s.failed)),
      };
    });
    return { rows, minimum: defaultCanaryMinimum(rps) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function printRollback(rows: RollbackRow[], minimum: StatisticalMinimum): void {
  console.log(
    `\nRollback with the default canary (setWeight ${minimum.firstWeight} first, flowops-default analysis ` +
      `every ${minimum.intervalS} s, minSamples ${minimum.minSamples}), ${rps} requests/s, median of ${repeats}`,
  );
  console.log(
    `statistical minimum: ${minimum.minSamples} / (${rps} x ${minimum.firstWeight} %) = ` +
      `${minimum.samplesS.toFixed(2)} s; plus one interval = ${minimum.boundS.toFixed(2)} s`,
  );
  console.log(
    "\n| candidate | fault to 0 % s | deploy to 0 % s | failed requests | / (minimum + interval) | verdict |",
  );
  console.log("|---|---:|---:|---:|---:|---|");
  for (const row of rows) {
    const met = row.medianS < ROLLBACK_TARGET_S && row.medianS < minimum.boundS;
    console.log(
      `| ${row.kind} | ${row.medianS.toFixed(2)} | ${row.medianDeployS.toFixed(2)} | ${row.medianFailed} | ` +
        `${(row.medianS / minimum.boundS).toFixed(2)}x | ${met ? "met" : "NOT met"} (< ${ROLLBACK_TARGET_S} s and < ${minimum.boundS.toFixed(2)} s) |`,
    );
  }
  const slowest = Math.max(...rows.map((row) => row.medianS));
  console.log(
    "\nAnchors: detection time computed from documented mechanics with default settings (serving-delivery " +
      "reference §7.3), NOT run here (no Kubernetes on this machine); Prometheus scrape and rate() windows " +
      "would add to both.",
  );
  console.log("\n| tool | settings | formula | detection s | / slowest FlowOps median |");
  console.log("|---|---|---|---:|---:|");
  for (const anchor of anchorFigures()) {
    console.log(
      `| ${anchor.tool} | ${anchor.settings} | ${anchor.formula} | ${anchor.detectionS} | ` +
        `${(anchor.detectionS / slowest).toFixed(1)}x |`,
    );
  }
}

type OverheadRepeat = OverheadResult["repeats"][number];

function printOverhead(result: OverheadResult): void {
  const fixedRate = Number(values["fixed-rate"]);
  const maxP99 = Number(values["max-p99-ms"]);
  const med = (pick: (r: OverheadRepeat) => number) => median(result.repeats.map(pick));
  console.log(
    `\nRouting overhead, one server process, /v2/models/<endpoint>/infer, median of ${result.repeats.length} ` +
      `(${availableParallelism()} cores shared by server and load generator; ${values["duration-s"]} s per ` +
      `run after ${values["warmup-s"]} s warm-up; rate steps ${values.rates})`,
  );
  console.log(
    `\n| endpoint | p50 ms at ${fixedRate}/s | p99 ms at ${fixedRate}/s | ` +
      `highest rate kept up (p99 < ${maxP99} ms) |`,
  );
  console.log("|---|---:|---:|---:|");
  for (const side of SIDES) {
    console.log(
      `| ${side === "direct" ? "direct (stable only)" : "canary (90/10)"} | ` +
        `${med((r) => r.fixed[side].p50Ms).toFixed(3)} | ${med((r) => r.fixed[side].p99Ms).toFixed(3)} | ` +
        `${med((r) => r.highestKeptUp[side])} |`,
    );
  }
  // Paired per repeat (the two sides ran back to back), then the median: steadier than a difference of
  // medians when the machine's load drifts. A pair counts only when both sides held the fixed rate: a
  // p99 difference between two overloaded runs measures the machine, not the routing.
  const held = result.repeats.filter((r) => SIDES.every((side) => withinLimit(r.fixed[side], maxP99)));
  const p99Deltas = held.map((r) => r.fixed.canary.p99Ms - r.fixed.direct.p99Ms);
  const losses = result.repeats
    .filter((r) => r.highestKeptUp.direct > 0)
    .map((r) => 1 - r.highestKeptUp.canary / r.highestKeptUp.direct);
  console.log("\n| target | measured | verdict |");
  console.log("|---|---|---|");
  if (losses.length === 0) {
    console.log(
      `| throughput loss < ${100 * THROUGHPUT_TARGET} % | the direct side kept up with no rate step | not measured |`,
    );
  } else {
    const loss = median(losses);
    console.log(
      `| throughput loss < ${100 * THROUGHPUT_TARGET} % | ${(100 * loss).toFixed(1)} % (median of ` +
        `${losses.length} paired repeats) | ${loss < THROUGHPUT_TARGET ? "met" : "NOT met"} |`,
    );
  }
  if (p99Deltas.length === 0) {
    console.log(
      `| p99 overhead < ${P99_TARGET_MS} ms at ${fixedRate}/s | no repeat where both sides held ` +
        `${fixedRate}/s with p99 < ${maxP99} ms | not measured |`,
    );
  } else {
    const delta = median(p99Deltas);
    console.log(
      `| p99 overhead < ${P99_TARGET_MS} ms at ${fixedRate}/s | ${delta.toFixed(3)} ms (median of ` +
        `${p99Deltas.length} paired differences) | ${delta < P99_TARGET_MS ? "met" : "NOT met"} |`,
    );
  }
  console.log(
    `\nNotes: for each request the candidate answers (10 %) the canary side also runs the request on ` +
      `stable, after the answer is sent, for the agreement metric: 10 % extra inferences, part of the ` +
      `measured overhead by design. The rate steps bound the throughput resolution. Candidate weight ` +
      `after the runs: ${result.canaryWeightAfter ?? "unknown"} % (10 when the split held throughout).`,
  );
}

async function main(): Promise<void> {
  console.log(
    `${availableParallelism()} cores; load average before: ${await loadAverage()}; node ${process.version}`,
  );
  const summary: Record<string, unknown> = {};
  if (values.only !== "overhead") {
    const { rows, minimum } = await runRollback();
    printRollback(rows, minimum);
    summary.rollback = {
      rps,
      minimum,
      kinds: rows.map((row) => ({
        kind: row.kind,
        medianS: row.medianS,
        medianDeployS: row.medianDeployS,
        medianFailed: row.medianFailed,
        samples: row.samples,
      })),
      anchors: anchorFigures(),
    };
  }
  if (values.only !== "rollback") {
    const result = await measureRoutingOverhead({
      fixedRate: Number(values["fixed-rate"]),
      rates: values.rates.split(",").map(Number),
      durationS: Number(values["duration-s"]),
      warmupS: Number(values["warmup-s"]),
      serverWarmupS: Number(values["server-warmup-s"]),
      connections: Number(values.connections),
      maxP99Ms: Number(values["max-p99-ms"]),
      repeats,
    });
    printOverhead(result);
    summary.overhead = result;
  }
  const after = await loadAverage();
  console.log(`\nload average after: ${after}`);
  if (Number(after.split(" ")[0]) > availableParallelism()) {
    console.log(
      `caution: the load average is above the ${availableParallelism()} cores; other work shared the ` +
        `machine, and latency and throughput figures above reflect it more than the routing.`,
    );
  }
  summary.loadAverageAfter = after;
  console.log(`summary: ${JSON.stringify(summary)}`);
}

await main();
