/**
 * A/B tests with real traffic on loopback: users stick to one variant by `x-user-id`, a header route sends a
 * request to the candidate whatever its user's bucket, labels posted later to /api/v1/feedback with the
 * echoed request ids feed the online_accuracy comparison, and the sequential test concludes: the arm whose
 * predictions the labels confirm wins (stable kept -> the rollout is aborted; candidate better -> promoted).
 * The candidate is the stable model with its last layer negated, so every answer tells which arm gave it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentStatus } from "../../src/delivery/deployments/deliveryController.js";
import {
  postV2,
  predictedClass,
  startDeliveryHarness,
  waitForDeployment,
  writeHarnessModels,
  type DeliveryHarness,
  startTraffic,
} from "../support/deliveryHarness.js";

const SEEDS = 240;

function abSpec(endpoint: string): string {
  return `strategy:
  abTest:
    variants:
      - { name: stable, weight: 50 }
      - { name: candidate, weight: 50 }
    stickiness: { header: x-user-id, seed: ${endpoint} }
    headerRoute: { header: x-canary, match: { exact: "yes" } }
    test: { metric: online_accuracy, alpha: 0.05, maxSamples: 2000 }
`;
}

let dir: string;
let models: Awaited<ReturnType<typeof writeHarnessModels>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-abtest-"));
  models = await writeHarnessModels(join(dir, "models"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Served {
  requestId: string;
  seed: number;
  arm: "stable" | "candidate";
}

/** Sends seed `seed` for `user` and tells which arm answered by comparing with stable's own class. */
async function ask(
  harness: DeliveryHarness,
  endpoint: string,
  stableClass: readonly number[],
  seed: number,
  headers: Record<string, string>,
): Promise<Served> {
  const answer = await postV2(harness.url, `/v2/models/${endpoint}/infer`, seed, headers);
  expect(answer.status).toBe(200);
  expect(answer.requestId).toBeTruthy();
  const arm = predictedClass(answer.probabilities) === stableClass[seed] ? "stable" : "candidate";
  return { requestId: answer.requestId as string, seed, arm };
}

async function postLabels(
  harness: DeliveryHarness,
  items: { request_id: string; label: number | string }[],
): Promise<{ request_id: string; matched: boolean; correct?: boolean }[]> {
  const response = await fetch(`${harness.url}/api/v1/feedback`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ items }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    results: { request_id: string; matched: boolean; correct?: boolean }[];
  };
  return body.results;
}

/**
 * Starts an A/B test of the flipped candidate, checks stickiness and the header route, then labels every
 * answer with `truth` until the experiment concludes.
 */
async function runExperiment(
  endpoint: string,
  truth: "stable" | "candidate",
): Promise<{ harness: DeliveryHarness; concluded: DeploymentStatus; stableClass: number[] }> {
  const harness = await startDeliveryHarness(join(dir, `${endpoint}.db`));
  await harness.delivery.create({
    name: endpoint,
    modelUri: models.stable,
    specYaml: abSpec(endpoint),
    specFile: "rollout.yaml",
  });
  const stableClass: number[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    stableClass.push(
      predictedClass((await postV2(harness.url, `/v2/models/${endpoint}/infer`, seed)).probabilities),
    );
  }
  await harness.delivery.deploy(endpoint, models.flipped);
  await waitForDeployment(
    harness.delivery,
    endpoint,
    (s) => s.weights.some((r) => r.model === models.flipped && r.weight === 50),
    10_000,
  );

  // Sticky: each user gets the same arm on every request, and the users split across both arms.
  const served: Served[] = [];
  const armOfUser = new Map<string, Set<string>>();
  for (let user = 0; user < 40; user++) {
    for (let k = 0; k < 3; k++) {
      const seed = (user * 3 + k) % SEEDS;
      const answer = await ask(harness, endpoint, stableClass, seed, { "x-user-id": `user-${user}` });
      served.push(answer);
      const arms = armOfUser.get(`user-${user}`) ?? new Set();
      arms.add(answer.arm);
      armOfUser.set(`user-${user}`, arms);
    }
  }
  expect([...armOfUser.values()].every((arms) => arms.size === 1)).toBe(true);
  const stableUsers = [...armOfUser].filter(([, arms]) => arms.has("stable")).map(([user]) => user);
  expect(stableUsers.length).toBeGreaterThan(5);
  expect(stableUsers.length).toBeLessThan(35);

  // The header route wins over the sticky bucket.
  for (const [i, user] of stableUsers.slice(0, 5).entries()) {
    const answer = await ask(harness, endpoint, stableClass, 200 + i, {
      "x-user-id": user,
      "x-canary": "yes",
    });
    expect(answer.arm).toBe("candidate");
    served.push(answer);
  }

  // Labels arrive later, by request id; the arm `truth` names is right on every one.
  const labelOf = (s: Served): number =>
    truth === "stable" ? (stableClass[s.seed] as number) : 1 - (stableClass[s.seed] as number);
  // Labels come as numbers or as strings ("1.0" is class 1), as clients send them.
  const results = await postLabels(
    harness,
    served.map((s, i) => ({
      request_id: s.requestId,
      label: i % 2 === 0 ? labelOf(s) : `${labelOf(s)}.0`,
    })),
  );
  expect(results.every((r) => r.matched)).toBe(true);
  const stableCorrect = results
    .filter((r, i) => served[i]?.arm === "stable")
    .every((r) => r.correct === (truth === "stable"));
  expect(stableCorrect).toBe(true);

  // More labelled traffic until the sequential test decides.
  let user = 1000;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await harness.delivery.status(endpoint);
    if (status.phase !== "Progressing") return { harness, concluded: status, stableClass };
    if (Date.now() > deadline) throw new Error(`the experiment did not conclude: ${JSON.stringify(status)}`);
    const batch: Served[] = [];
    for (let i = 0; i < 20; i++, user++) {
      batch.push(await ask(harness, endpoint, stableClass, user % SEEDS, { "x-user-id": `user-${user}` }));
    }
    await postLabels(
      harness,
      batch.map((s) => ({ request_id: s.requestId, label: labelOf(s) })),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe("A/B tests over HTTP on the error rate", () => {
  it("keeps stable when the candidate's arm fails its requests", async () => {
    const endpoint = "ab-errors";
    const harness = await startDeliveryHarness(join(dir, `${endpoint}.db`));
    try {
      await harness.delivery.create({
        name: endpoint,
        modelUri: models.stable,
        specYaml: abSpec(endpoint).replace("metric: online_accuracy", "metric: error_rate"),
        specFile: "rollout.yaml",
      });
      await harness.delivery.deploy(endpoint, models.errors);
      await waitForDeployment(harness.delivery, endpoint, (s) => s.weights.length === 2, 10_000);
      const traffic = startTraffic(harness.url, endpoint, 60);
      const concluded = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => s.phase !== "Progressing",
        20_000,
      );
      await traffic.stop();
      expect(concluded.phase).toBe("Degraded");
      expect(concluded.abortedReason).toMatch(/A\/B test kept stable: error_rate/);
      // Some users of the candidate's arm saw its errors before the test concluded; none after.
      expect(traffic.tally.failed).toBeGreaterThan(0);
      const after = startTraffic(harness.url, endpoint, 60);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await after.stop();
      expect(after.tally.sent).toBeGreaterThan(10);
      expect(after.tally.failed).toBe(0);
    } finally {
      await harness.stop();
    }
  }, 60_000);
});

describe("A/B tests over HTTP with labels fed back", () => {
  it("keeps stable and drops the candidate when the labels confirm stable's predictions", async () => {
    const { harness, concluded, stableClass } = await runExperiment("ab-stable-wins", "stable");
    try {
      expect(concluded.phase).toBe("Degraded");
      expect(concluded.stable).toBe(models.stable);
      expect(concluded.abortedReason).toMatch(/A\/B test kept stable: online_accuracy/);
      expect(concluded.weights).toEqual([{ model: models.stable, weight: 100 }]);
      // Every user, whatever their bucket, is answered by stable now.
      for (let user = 0; user < 20; user++) {
        const answer = await ask(harness, "ab-stable-wins", stableClass, user, {
          "x-user-id": `user-${user}`,
        });
        expect(answer.arm).toBe("stable");
      }
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("promotes the candidate when the labels confirm the candidate's predictions", async () => {
    const { harness, concluded, stableClass } = await runExperiment("ab-candidate-wins", "candidate");
    try {
      expect(concluded.phase).toBe("Healthy");
      expect(concluded.stable).toBe(models.flipped);
      expect(concluded.candidate).toBeUndefined();
      const events = await harness.delivery.events("ab-candidate-wins");
      expect(events.some((e) => e.kind === "ExperimentConcluded" && /candidate wins/.test(e.details))).toBe(
        true,
      );
      for (let user = 0; user < 20; user++) {
        const answer = await ask(harness, "ab-candidate-wins", stableClass, user, {
          "x-user-id": `user-${user}`,
        });
        expect(answer.arm).toBe("candidate");
      }
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("pauses for a decision when the sample cap is reached without a difference, and promotes on request", async () => {
    const endpoint = "ab-no-winner";
    const harness = await startDeliveryHarness(join(dir, `${endpoint}.db`));
    try {
      await harness.delivery.create({
        name: endpoint,
        modelUri: models.stable,
        specYaml: abSpec(endpoint).replace("maxSamples: 2000", "maxSamples: 60"),
        specFile: "rollout.yaml",
      });
      // The sharper candidate predicts the same classes, so both arms are right on every label.
      await harness.delivery.deploy(endpoint, models.sharper);
      await waitForDeployment(harness.delivery, endpoint, (s) => s.weights.length === 2, 10_000);
      const items: { request_id: string; label: number }[] = [];
      for (let user = 0; user < 80; user++) {
        const answer = await postV2(harness.url, `/v2/models/${endpoint}/infer`, user, {
          "x-user-id": `user-${user}`,
        });
        items.push({ request_id: answer.requestId as string, label: predictedClass(answer.probabilities) });
      }
      await postLabels(harness, items);
      const paused = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => s.phase !== "Progressing",
        10_000,
      );
      expect(paused.phase).toBe("Paused");
      expect(paused.pauseReason).toBe("AwaitingDecision");
      const events = await harness.delivery.events(endpoint);
      expect(events.some((e) => e.kind === "ExperimentConcluded" && /no winner/.test(e.details))).toBe(true);
      const promoted = await harness.delivery.promote(endpoint);
      expect(promoted.phase).toBe("Healthy");
      expect(promoted.stable).toBe(models.sharper);
    } finally {
      await harness.stop();
    }
  }, 60_000);
});
