/**
 * Shadow delivery with real traffic on loopback: `mirrorPercent` of requests are copied to the candidate,
 * every client answer comes from stable while the shadow runs, and the candidate is judged on agreement
 * with stable. A candidate whose predictions flip fails the analysis and is dropped without any client
 * seeing its answers; one that agrees is promoted once the duration is over.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countingLoader,
  faultInjectingLoader,
  postV2,
  startDeliveryHarness,
  startTraffic,
  waitForDeployment,
  writeHarnessModels,
  type DeliveryHarness,
} from "../support/deliveryHarness.js";

const RPS = 60;
const SEEDS = 200;

let dir: string;
let models: Awaited<ReturnType<typeof writeHarnessModels>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-shadow-"));
  models = await writeHarnessModels(join(dir, "models"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function shadowSpec(mirrorPercent: number, duration: string): string {
  return `strategy:
  shadow:
    mirrorPercent: ${mirrorPercent}
    duration: ${duration}
    analysis:
      templates: [{ templateName: flowops-default-bounded }]
`;
}

/** Stable's probabilities for every seed, asked before any rollout. */
async function stableAnswers(harness: DeliveryHarness, endpoint: string): Promise<number[][]> {
  const answers: number[][] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    answers.push((await postV2(harness.url, `/v2/models/${endpoint}/infer`, seed)).probabilities);
  }
  return answers;
}

/** Traffic that remembers how many answers differed from stable's own answer to the same input. */
function trafficComparedWith(harness: DeliveryHarness, endpoint: string, expected: number[][]) {
  const seen = { answers: 0, notFromStable: 0 };
  const traffic = startTraffic(harness.url, endpoint, RPS, {
    seedOf: (n) => n % SEEDS,
    onAnswer: (n, response, body) => {
      if (!response.ok) return;
      seen.answers++;
      const probabilities =
        (JSON.parse(body) as { outputs: { name: string; data: number[] }[] }).outputs.find(
          (o) => o.name === "probabilities",
        )?.data ?? [];
      const stable = expected[n % SEEDS] ?? [];
      if (!probabilities.every((p, i) => Math.abs(p - (stable[i] ?? NaN)) < 1e-6)) seen.notFromStable++;
    },
  });
  return { traffic, seen };
}

describe("shadow delivery over HTTP", () => {
  it("drops a candidate whose predictions flip without any client seeing its answers", async () => {
    const rows = new Map<string, number>();
    const harness = await startDeliveryHarness(join(dir, "flipped.db"), 100, {
      loader: countingLoader(faultInjectingLoader, rows),
    });
    const endpoint = "shadow-flipped";
    try {
      await harness.delivery.create({
        name: endpoint,
        modelUri: models.stable,
        specYaml: shadowSpec(100, "30s"),
        specFile: "rollout.yaml",
      });
      const expected = await stableAnswers(harness, endpoint);
      const { traffic, seen } = trafficComparedWith(harness, endpoint, expected);
      await harness.delivery.deploy(endpoint, models.flipped);
      const degraded = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => s.phase === "Degraded",
        20_000,
      );
      await traffic.stop();
      expect(degraded.stable).toBe(models.stable);
      expect(degraded.mirror).toBeUndefined();
      expect(degraded.abortedReason).toMatch(/agreement = 0(\.\d+)? \(condition result < 0\.9\)/);
      // The candidate computed answers (the mirror ran) that no client received.
      expect(rows.get(models.flipped) ?? 0).toBeGreaterThan(20);
      // How many answers came before the rollback depends on how fast it was; enough to judge is 20.
      expect(seen.answers).toBeGreaterThan(20);
      expect(seen.notFromStable).toBe(0);
      expect(traffic.tally.failed).toBe(0);
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("mirrors the configured share, answers from stable throughout, and promotes an agreeing candidate after the duration", async () => {
    const rows = new Map<string, number>();
    const harness = await startDeliveryHarness(join(dir, "healthy.db"), 100, {
      loader: countingLoader(faultInjectingLoader, rows),
    });
    const endpoint = "shadow-healthy";
    try {
      await harness.delivery.create({
        name: endpoint,
        modelUri: models.stable,
        specYaml: shadowSpec(50, "3s"),
        specFile: "rollout.yaml",
      });
      const expected = await stableAnswers(harness, endpoint);
      const { traffic, seen } = trafficComparedWith(harness, endpoint, expected);
      await harness.delivery.deploy(endpoint, models.sharper);
      const shadowing = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => s.mirror !== undefined,
        10_000,
      );
      expect(shadowing.mirror).toEqual({ model: models.sharper, percent: 50 });
      expect(shadowing.weights).toEqual([{ model: models.stable, weight: 100 }]);

      const stableBefore = rows.get(models.stable) ?? 0;
      const candidateBefore = rows.get(models.sharper) ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const stableRows = (rows.get(models.stable) ?? 0) - stableBefore;
      const candidateRows = (rows.get(models.sharper) ?? 0) - candidateBefore;
      expect(stableRows).toBeGreaterThan(40);
      expect(candidateRows / stableRows).toBeGreaterThan(0.4);
      expect(candidateRows / stableRows).toBeLessThan(0.6);

      let notFromStableWhileShadowing = -1;
      const promoted = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => {
          // Read before the status says Healthy: every answer counted so far was routed during the shadow.
          if (s.phase !== "Healthy") notFromStableWhileShadowing = seen.notFromStable;
          return s.phase === "Healthy";
        },
        20_000,
      );
      expect(promoted.stable).toBe(models.sharper);
      expect(notFromStableWhileShadowing).toBe(0);
      const events = await harness.delivery.events(endpoint);
      expect(events.some((e) => e.kind === "AnalysisSuccessful")).toBe(true);
      expect(events.some((e) => e.kind === "ShadowCompleted")).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await traffic.stop();
      expect(traffic.tally.failed).toBe(0);
      // The promoted candidate answers now.
      const after = await postV2(harness.url, `/v2/models/${endpoint}/infer`, 1);
      expect(after.probabilities[0]).not.toBeCloseTo(expected[1]?.[0] ?? NaN, 5);
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("keeps mirroring after a restart mid-shadow and still promotes after the duration", async () => {
    const dbFile = join(dir, "restart.db");
    const endpoint = "shadow-restart";
    const rowsBefore = new Map<string, number>();
    let harness = await startDeliveryHarness(dbFile, 100, {
      loader: countingLoader(faultInjectingLoader, rowsBefore),
    });
    try {
      await harness.delivery.create({
        name: endpoint,
        modelUri: models.stable,
        specYaml: shadowSpec(100, "4s"),
        specFile: "rollout.yaml",
      });
      await harness.delivery.deploy(endpoint, models.sharper);
      await waitForDeployment(harness.delivery, endpoint, (s) => s.mirror !== undefined, 10_000);
      await harness.stop();

      const rows = new Map<string, number>();
      harness = await startDeliveryHarness(dbFile, 100, {
        loader: countingLoader(faultInjectingLoader, rows),
      });
      const resumed = await harness.delivery.status(endpoint);
      expect(resumed.mirror).toEqual({ model: models.sharper, percent: 100 });
      expect(resumed.weights).toEqual([{ model: models.stable, weight: 100 }]);
      const traffic = startTraffic(harness.url, endpoint, RPS);
      const promoted = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => s.phase !== "Progressing",
        20_000,
      );
      await traffic.stop();
      expect(promoted.phase).toBe("Healthy");
      expect(promoted.stable).toBe(models.sharper);
      expect(rows.get(models.sharper) ?? 0).toBeGreaterThan(20);
      expect(traffic.tally.failed).toBe(0);
    } finally {
      await harness.stop();
    }
  }, 60_000);
});
