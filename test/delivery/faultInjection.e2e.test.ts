/**
 * Fault injection with real traffic on loopback: a canary of a candidate that returns errors, answers late
 * or flips its predictions is rolled back on its own; a healthy one is promoted through every step; a
 * server restarted mid-rollout keeps the split. Each rollback reports the time from the start of the fault
 * (the candidate's first traffic) to 0 % traffic, and the requests that failed meanwhile.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentStatus } from "../../src/delivery/deployments/deliveryController.js";
import {
  startDeliveryHarness,
  startTraffic,
  writeHarnessModels,
  type CandidateKind,
  type DeliveryHarness,
} from "../support/deliveryHarness.js";

const RPS = 100;
const CANARY = `strategy:
  canary:
    analysis:
      templates: [{ templateName: flowops-default }]
    steps:
      - setWeight: 20
      - pause: { duration: 3s }
      - setWeight: 50
      - pause: { duration: 3s }
      - setWeight: 100
`;

let dir: string;
let models: Awaited<ReturnType<typeof writeHarnessModels>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-faults-"));
  models = await writeHarnessModels(join(dir, "models"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function candidateWeight(status: DeploymentStatus): number {
  return status.weights.find((route) => route.model === status.candidate)?.weight ?? 0;
}

async function waitFor(
  harness: DeliveryHarness,
  endpoint: string,
  done: (status: DeploymentStatus) => boolean,
  timeoutMs: number,
): Promise<DeploymentStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await harness.delivery.status(endpoint);
    if (done(status)) return status;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting on ${endpoint}: ${JSON.stringify(status, null, 1)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function rollbackOf(kind: CandidateKind): Promise<void> {
  const harness = await startDeliveryHarness(join(dir, `${kind}.db`));
  const endpoint = `faulty-${kind}`;
  try {
    await harness.delivery.create({
      name: endpoint,
      modelUri: models.stable,
      specYaml: CANARY,
      specFile: "rollout.yaml",
    });
    const traffic = startTraffic(harness.url, endpoint, RPS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const failedBefore = traffic.tally.failed;
    const faultStart = performance.now();
    await harness.delivery.deploy(endpoint, models[kind]);
    const degraded = await waitFor(harness, endpoint, (s) => s.phase === "Degraded", 20_000);
    const rollbackMs = performance.now() - faultStart;
    const failedDuringFault = traffic.tally.failed - failedBefore;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const failedAfter = traffic.tally.failed;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await traffic.stop();
    console.log(
      `[fault-injection] ${kind}: fault to 0 % traffic in ${rollbackMs.toFixed(0)} ms; ` +
        `${failedDuringFault} of ${traffic.tally.sent} requests failed`,
    );
    expect(candidateWeight(degraded)).toBe(0);
    expect(degraded.stable).toBe(models.stable);
    expect(rollbackMs).toBeLessThan(20_000);
    // After the rollback the stable version answers everything.
    expect(traffic.tally.failed).toBe(failedAfter);
    const events = await harness.delivery.events(endpoint);
    expect(events.some((e) => /abort|fail|degrad/i.test(e.kind))).toBe(true);
  } finally {
    await harness.stop();
  }
}

describe("canary fault injection at 100 requests per second", () => {
  it("rolls back a candidate that answers every request with an error", async () => {
    await rollbackOf("errors");
  }, 60_000);

  it("rolls back a candidate that answers 250 ms late", async () => {
    await rollbackOf("slow");
  }, 60_000);

  it("rolls back a candidate whose predictions flip", async () => {
    await rollbackOf("flipped");
  }, 60_000);

  it("promotes a healthy candidate through every step", async () => {
    const harness = await startDeliveryHarness(join(dir, "healthy.db"));
    try {
      await harness.delivery.create({
        name: "healthy",
        modelUri: models.stable,
        specYaml: CANARY,
        specFile: "rollout.yaml",
      });
      const traffic = startTraffic(harness.url, "healthy", RPS);
      await harness.delivery.deploy("healthy", models.healthy);
      const weights: number[] = [];
      const final = await waitFor(
        harness,
        "healthy",
        (s) => {
          const w = candidateWeight(s);
          if (s.candidate !== undefined && weights.at(-1) !== w) weights.push(w);
          return s.phase === "Healthy" && s.candidate === undefined;
        },
        30_000,
      );
      await traffic.stop();
      expect(final.stable).toBe(models.healthy);
      expect(weights).toEqual(expect.arrayContaining([20, 50]));
      expect(traffic.tally.failed).toBe(0);
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("keeps the traffic split and the pause across a restart mid-rollout", async () => {
    const dbFile = join(dir, "restart.db");
    const paused = `strategy:
  canary:
    steps:
      - setWeight: 30
      - pause: {}
      - setWeight: 100
`;
    let harness = await startDeliveryHarness(dbFile);
    try {
      await harness.delivery.create({
        name: "restarted",
        modelUri: models.stable,
        specYaml: paused,
        specFile: "rollout.yaml",
      });
      await harness.delivery.deploy("restarted", models.healthy);
      const before = await waitFor(harness, "restarted", (s) => s.phase === "Paused", 10_000);
      expect(candidateWeight(before)).toBe(30);
      await harness.stop();

      harness = await startDeliveryHarness(dbFile);
      const after = await harness.delivery.status("restarted");
      expect(after.phase).toBe("Paused");
      expect(candidateWeight(after)).toBe(30);
      const traffic = startTraffic(harness.url, "restarted", RPS);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await traffic.stop();
      expect(traffic.tally.failed).toBe(0);
      await harness.delivery.promote("restarted");
      const done = await waitFor(harness, "restarted", (s) => s.phase === "Healthy", 10_000);
      expect(done.stable).toBe(models.healthy);
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("pauses a canary that receives too little traffic to judge instead of promoting it", async () => {
    const harness = await startDeliveryHarness(join(dir, "quiet.db"));
    try {
      await harness.delivery.create({
        name: "quiet",
        modelUri: models.stable,
        specYaml: CANARY,
        specFile: "rollout.yaml",
      });
      await harness.delivery.deploy("quiet", models.healthy);
      const status = await waitFor(
        harness,
        "quiet",
        (s) => s.pauseReason === "InconclusiveAnalysis" || s.phase === "Healthy",
        20_000,
      );
      expect(status.phase).toBe("Paused");
      expect(status.stable).toBe(models.stable);
      expect(status.candidate).toBe(models.healthy);
    } finally {
      await harness.stop();
    }
  }, 60_000);
});
