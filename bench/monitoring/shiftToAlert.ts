/**
 * Time from a shift in live traffic to the drift alert, with the online monitor's default settings (15 s
 * windows, 200 rows at least): the delivery harness's server with one endpoint over a real ONNX model, a
 * reference profile stored for its model version, and a DriftMonitor wired as src/server/start.ts wires it.
 * Traffic runs at a fixed rate (an open loop); each trial sends unshifted rows for a while (a random extra
 * delay puts the shift at a different point of the window each time), then rows whose every feature is moved
 * by 1.5 standard deviations, and measures from the first shifted request to the first stored report with
 * dataset drift. Traffic then returns to normal until a report without drift, before the next trial.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { buildProfile } from "../../src/monitoring/drift/referenceProfile.js";
import { DriftMonitor, DRIFT_MONITOR_DEFAULTS } from "../../src/monitoring/online/driftMonitor.js";
import { DriftReportStore } from "../../src/monitoring/online/driftReportStore.js";
import { ProfileStore } from "../../src/monitoring/online/profileStore.js";
import {
  FEATURES,
  startDeliveryHarness,
  waitForDeployment,
  writeHarnessModels,
} from "../../test/support/deliveryHarness.js";
import { mulberry32 as seededRandom } from "../../src/seededRandom.js";

const ENDPOINT = "shift";
const MODEL_NAME = "drift-bench";
const MODEL_VERSION = "1";
const SHIFT = 1.5;
const REFERENCE_ROWS = 10_000;

export interface ShiftToAlertResult {
  readonly seconds: number[];
  readonly sent: number;
  readonly failed: number;
}

export async function measureShiftToAlert(rps: number, trials: number): Promise<ShiftToAlertResult> {
  const dir = await mkdtemp(join(tmpdir(), "flowops-bench-monitoring-"));
  const harness = await startDeliveryHarness(join(dir, "server.db"));
  const uniform = seededRandom(11);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const profiles = new ProfileStore(harness.meta);
  // A stable model served from a directory has no registry version, so the monitor is told which stored
  // profile is its reference, the one the registry's version would have.
  const monitor = new DriftMonitor({
    registry: harness.delivery.registry,
    profiles,
    reports: new DriftReportStore(harness.meta),
    resolveProfile: () => profiles.get(MODEL_NAME, MODEL_VERSION),
  });
  let shifted = false;
  let sent = 0;
  let failed = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    const models = await writeHarnessModels(join(dir, "models"));
    await harness.delivery.create({ name: ENDPOINT, modelUri: models.stable });
    await waitForDeployment(harness.delivery, ENDPOINT, (s) => s.phase === "Healthy", 60_000);
    const reference = Array.from({ length: FEATURES }, (_, i) => ({
      name: `input_${i}`,
      values: Float64Array.from({ length: REFERENCE_ROWS }, () => Math.fround(normal())),
    }));
    await profiles.put(MODEL_NAME, MODEL_VERSION, buildProfile(reference));
    const reports: { at: number; drift: boolean }[] = [];
    monitor.addReportListener((_endpoint, report) => {
      reports.push({ at: performance.now(), drift: report.datasetDrift });
    });
    monitor.start();
    timer = startLoad(
      harness.url,
      rps,
      () => {
        sent++;
        const data = Array.from({ length: FEATURES }, () => normal() + (shifted ? SHIFT : 0));
        return JSON.stringify({ inputs: [{ name: "input", shape: [1, FEATURES], datatype: "FP32", data }] });
      },
      () => failed++,
    );
    const seconds: number[] = [];
    const windowMs = DRIFT_MONITOR_DEFAULTS.windowSeconds * 1000;
    for (let trial = 0; trial < trials; trial++) {
      await waitForReport(reports, false, 4 * windowMs);
      await sleep(uniform() * windowMs);
      shifted = true;
      const shiftAt = performance.now();
      const alert = await waitForReport(reports, true, 6 * windowMs, shiftAt);
      seconds.push((alert - shiftAt) / 1000);
      shifted = false;
    }
    return { seconds, sent, failed };
  } finally {
    clearInterval(timer);
    await monitor.close();
    await harness.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sends one request every 1000/rps ms, whatever the answers, to the endpoint's V2 route. */
function startLoad(url: string, rps: number, body: () => string, onFailure: () => void): NodeJS.Timeout {
  return setInterval(() => {
    fetch(`${url}/v2/models/${ENDPOINT}/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body(),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        if (!response.ok) onFailure();
      })
      .catch(onFailure);
  }, 1000 / rps);
}

/** Resolves with the time of the first report after `since` whose verdict is `drift`. */
async function waitForReport(
  reports: readonly { at: number; drift: boolean }[],
  drift: boolean,
  timeoutMs: number,
  since = performance.now(),
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = reports.find((report) => report.at >= since && report.drift === drift);
    if (found !== undefined) return found.at;
    if (performance.now() > deadline) {
      throw new Error(`no report with dataset drift ${drift} within ${timeoutMs / 1000} s`);
    }
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
