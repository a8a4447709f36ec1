/**
 * Blue-green with real traffic on loopback: the candidate answers only on the preview routes (V2 and MLflow
 * scoring) until the switch, the built-in bounded pre-promotion analysis passes on preview traffic, the
 * switch comes after autoPromotionSeconds, and the way back (undo after the switch, or a failed
 * post-promotion analysis) is instant because the old version stayed loaded.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  postMlflow,
  postV2,
  startDeliveryHarness,
  startTraffic,
  waitForDeployment,
  writeHarnessModels,
  type EndpointAnswer,
} from "../support/deliveryHarness.js";

const RPS = 40;

let dir: string;
let models: Awaited<ReturnType<typeof writeHarnessModels>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-bluegreen-"));
  models = await writeHarnessModels(join(dir, "models"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Which model answered: stable and `sharper` agree on the class but not on the probabilities. */
function sameAnswer(a: EndpointAnswer, b: EndpointAnswer): boolean {
  return (
    a.probabilities.length > 0 &&
    a.probabilities.every((p, i) => Math.abs(p - (b.probabilities[i] ?? NaN)) < 1e-6)
  );
}

/** A V2 response body as an answer, for comparing probabilities. */
function answerOf(body: string): EndpointAnswer {
  const outputs = (JSON.parse(body) as { outputs?: { name: string; data: number[] }[] }).outputs;
  const probabilities = outputs?.find((o) => o.name === "probabilities")?.data ?? [];
  return { status: 200, requestId: null, probabilities, body };
}

describe("blue-green delivery over HTTP", () => {
  it("serves the candidate only on the preview routes, switches after the analysis and the delay, and undoes instantly", async () => {
    const harness = await startDeliveryHarness(join(dir, "switch.db"));
    const endpoint = "bg-switch";
    try {
      await harness.delivery.create({
        name: endpoint,
        modelUri: models.stable,
        specYaml: `strategy:
  blueGreen:
    prePromotionAnalysis:
      templates: [{ templateName: flowops-default-bounded }]
    autoPromotionSeconds: 3
    scaleDownDelaySeconds: 60
`,
        specFile: "rollout.yaml",
      });
      const stableV2 = await postV2(harness.url, `/v2/models/${endpoint}/infer`, 1);
      const stableMlflow = await postMlflow(harness.url, `/endpoints/${endpoint}/invocations`, 1);
      expect(stableV2.status).toBe(200);
      expect(stableMlflow.status).toBe(200);
      expect(sameAnswer(stableV2, stableMlflow)).toBe(true);
      // No rollout, no preview.
      expect((await postV2(harness.url, `/endpoints/${endpoint}/preview/v2/infer`, 1)).status).toBe(404);
      expect((await postMlflow(harness.url, `/endpoints/${endpoint}/preview/invocations`, 1)).status).toBe(
        404,
      );

      // Every active answer is checked against stable's; the count is read whenever the status still
      // shows the preview, so the check does not depend on how fast the machine is.
      let activeNotStable = 0;
      const main = startTraffic(harness.url, endpoint, RPS, {
        seedOf: () => 1,
        onAnswer: (_n, response, body) => {
          if (!response.ok || !sameAnswer(answerOf(body), stableV2)) activeNotStable++;
        },
      });
      const preview = startTraffic(harness.url, endpoint, RPS, {
        path: `/endpoints/${endpoint}/preview/v2/infer`,
      });
      await harness.delivery.deploy(endpoint, models.sharper);
      const previewing = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => s.preview === models.sharper,
        10_000,
      );
      expect(previewing.weights).toEqual([{ model: models.stable, weight: 100 }]);

      // While the analysis runs, the preview routes answer with the candidate, in both protocols.
      const [previewV2, previewMlflow, activeMlflow] = await Promise.all([
        postV2(harness.url, `/endpoints/${endpoint}/preview/v2/infer`, 1),
        postMlflow(harness.url, `/endpoints/${endpoint}/preview/invocations`, 1),
        postMlflow(harness.url, `/endpoints/${endpoint}/invocations`, 1),
      ]);
      expect(previewV2.status).toBe(200);
      expect(previewMlflow.status).toBe(200);
      expect(sameAnswer(previewV2, stableV2)).toBe(false);
      expect(sameAnswer(previewMlflow, previewV2)).toBe(true);
      expect(sameAnswer(activeMlflow, stableV2)).toBe(true);

      let activeNotStableBeforeSwitch = -1;
      const switched = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => {
          if (s.stable === models.stable) activeNotStableBeforeSwitch = activeNotStable;
          return s.phase === "Healthy" && s.stable === models.sharper;
        },
        30_000,
      );
      expect(activeNotStableBeforeSwitch).toBe(0);
      expect(switched.preview).toBeUndefined();
      // The bounded analysis passed on preview traffic, then the rollout waited autoPromotionSeconds.
      const kinds = (await harness.delivery.events(endpoint)).map((e) => `${e.kind} ${e.details}`);
      const passed = kinds.findIndex((k) => k.startsWith("AnalysisSuccessful"));
      const waited = kinds.findIndex((k) => k.startsWith("Paused BlueGreenPause for 3s"));
      const switchedAt = kinds.findIndex((k) => k.startsWith("ActiveSwitched"));
      expect(passed).toBeGreaterThan(0);
      expect(waited).toBeGreaterThan(passed);
      expect(switchedAt).toBeGreaterThan(waited);
      expect(sameAnswer(await postV2(harness.url, `/v2/models/${endpoint}/infer`, 1), previewV2)).toBe(true);
      expect((await postV2(harness.url, `/endpoints/${endpoint}/preview/v2/infer`, 1)).status).toBe(404);
      await preview.stop();

      // The old version stayed loaded (scaleDownDelaySeconds), so undo switches back without a failed request.
      const undone = await harness.delivery.undo(endpoint);
      const back =
        undone.stable === models.stable && undone.phase === "Healthy"
          ? undone
          : await waitForDeployment(
              harness.delivery,
              endpoint,
              (s) => s.phase === "Healthy" && s.stable === models.stable,
              10_000,
            );
      expect(back.weights).toEqual([{ model: models.stable, weight: 100 }]);
      expect(sameAnswer(await postV2(harness.url, `/v2/models/${endpoint}/infer`, 1), stableV2)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await main.stop();
      expect(main.tally.failed).toBe(0);
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("drops a candidate that fails the pre-promotion analysis before it ever serves the active route", async () => {
    const harness = await startDeliveryHarness(join(dir, "pre.db"));
    const endpoint = "bg-pre";
    try {
      await harness.delivery.create({
        name: endpoint,
        modelUri: models.stable,
        specYaml: `strategy:
  blueGreen:
    prePromotionAnalysis:
      templates: [{ templateName: flowops-default-bounded }]
    autoPromotionSeconds: 1
`,
        specFile: "rollout.yaml",
      });
      const stableAnswer = await postV2(harness.url, `/v2/models/${endpoint}/infer`, 2);
      let notFromStable = 0;
      const main = startTraffic(harness.url, endpoint, RPS, {
        seedOf: () => 2,
        onAnswer: (_n, response, body) => {
          if (!response.ok || !sameAnswer(answerOf(body), stableAnswer)) notFromStable++;
        },
      });
      const preview = startTraffic(harness.url, endpoint, RPS, {
        path: `/endpoints/${endpoint}/preview/v2/infer`,
      });
      await harness.delivery.deploy(endpoint, models.flipped);
      const degraded = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => s.phase === "Degraded",
        20_000,
      );
      await preview.stop();
      await main.stop();
      expect(degraded.abortedReason).toMatch(/prePromotion analysis .*agreement = 0/);
      expect(degraded.preview).toBeUndefined();
      expect(degraded.weights).toEqual([{ model: models.stable, weight: 100 }]);
      expect(notFromStable).toBe(0);
      expect((await postV2(harness.url, `/endpoints/${endpoint}/preview/v2/infer`, 2)).status).toBe(404);
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("switches back to the old version when the post-promotion analysis fails", async () => {
    const harness = await startDeliveryHarness(join(dir, "post.db"));
    const endpoint = "bg-post";
    try {
      await harness.delivery.create({
        name: endpoint,
        modelUri: models.stable,
        specYaml: `strategy:
  blueGreen:
    autoPromotionSeconds: 1
    postPromotionAnalysis:
      templates: [{ templateName: flowops-default-bounded }]
`,
        specFile: "rollout.yaml",
      });
      const stableAnswer = await postV2(harness.url, `/v2/models/${endpoint}/infer`, 3);
      const traffic = startTraffic(harness.url, endpoint, RPS);
      await harness.delivery.deploy(endpoint, models.flipped);

      const degraded = await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => s.phase === "Degraded",
        20_000,
      );
      expect(degraded.stable).toBe(models.stable);
      expect(degraded.weights).toEqual([{ model: models.stable, weight: 100 }]);
      expect(degraded.abortedReason).toMatch(/postPromotion analysis .*agreement = 0/);
      const kinds = (await harness.delivery.events(endpoint)).map((e) => e.kind);
      expect(kinds.indexOf("ActiveSwitched")).toBeGreaterThan(0);
      expect(kinds.indexOf("Aborted")).toBeGreaterThan(kinds.indexOf("ActiveSwitched"));
      expect(sameAnswer(await postV2(harness.url, `/v2/models/${endpoint}/infer`, 3), stableAnswer)).toBe(
        true,
      );
      await traffic.stop();
      expect(traffic.tally.failed).toBe(0);
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("aborts during post-promotion on request and answers with the old version at once", async () => {
    const harness = await startDeliveryHarness(join(dir, "abort.db"));
    const endpoint = "bg-abort";
    try {
      await harness.delivery.create({
        name: endpoint,
        modelUri: models.stable,
        specYaml: `strategy:
  blueGreen:
    autoPromotionSeconds: 1
    postPromotionAnalysis:
      templates: [{ templateName: flowops-default }]
`,
        specFile: "rollout.yaml",
      });
      const stableAnswer = await postV2(harness.url, `/v2/models/${endpoint}/infer`, 5);
      await harness.delivery.deploy(endpoint, models.sharper);
      await waitForDeployment(
        harness.delivery,
        endpoint,
        (s) => s.weights.some((r) => r.model === models.sharper && r.weight === 100),
        10_000,
      );
      expect(sameAnswer(await postV2(harness.url, `/v2/models/${endpoint}/infer`, 5), stableAnswer)).toBe(
        false,
      );
      const aborted = await harness.delivery.abort(endpoint, "operator saw a problem");
      expect(aborted.phase).toBe("Degraded");
      expect(aborted.weights).toEqual([{ model: models.stable, weight: 100 }]);
      expect(sameAnswer(await postV2(harness.url, `/v2/models/${endpoint}/infer`, 5), stableAnswer)).toBe(
        true,
      );
    } finally {
      await harness.stop();
    }
  }, 60_000);
});
